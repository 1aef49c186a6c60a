{{/* The ServiceAccount the pods run as, bound to the service's IRSA role. */}}
{{- define "platform-lib.serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "platform-lib.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    eks.amazonaws.com/role-arn: {{ required "serviceAccount.roleArn is required: the ARN of the service's IRSA role" .Values.serviceAccount.roleArn | quote }}
    eks.amazonaws.com/sts-regional-endpoints: "true"
automountServiceAccountToken: true
{{- end -}}

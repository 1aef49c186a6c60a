{{/*
PodDisruptionBudget. Environments with several replicas keep minAvailable >= 1; a
single-replica environment sets 0 so node drains are not blocked forever.
*/}}
{{- define "platform-lib.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "platform-lib.metadata" . | nindent 2 }}
spec:
  minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
{{- end -}}

{{- define "platform-lib.notes" -}}
{{ include "platform-lib.fullname" . }} ({{ .Values.component }}) is installed in namespace {{ .Release.Namespace }}.

Status:   kubectl -n {{ .Release.Namespace }} get deploy,pods,hpa,pdb -l app.kubernetes.io/instance={{ .Release.Name }}
Logs:     kubectl -n {{ .Release.Namespace }} logs -l app.kubernetes.io/name={{ include "platform-lib.name" . }} --prefix --tail=100
Rollout:  kubectl -n {{ .Release.Namespace }} rollout status deploy/{{ include "platform-lib.fullname" . }}
Metrics:  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ include "platform-lib.fullname" . }} {{ .Values.service.port }}:http, then GET http://127.0.0.1:{{ .Values.service.port }}/metrics
IAM role: {{ .Values.serviceAccount.roleArn }} (ServiceAccount {{ include "platform-lib.serviceAccountName" . }})
Runbook:  docs/runbook.md
{{- end -}}

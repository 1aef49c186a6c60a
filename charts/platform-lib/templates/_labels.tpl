{{/* Selector labels: stable for the life of a release (a Deployment's selector is immutable). */}}
{{- define "platform-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Standard labels on every object. */}}
{{- define "platform-lib.labels" -}}
helm.sh/chart: {{ include "platform-lib.chart" . }}
{{ include "platform-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "platform-lib.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: {{ .Values.component }}
app.kubernetes.io/part-of: webhooks-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "platform-lib.metadata" -}}
name: {{ include "platform-lib.fullname" . }}
namespace: {{ .Release.Namespace }}
labels:
  {{- include "platform-lib.labels" . | nindent 2 }}
{{- end -}}

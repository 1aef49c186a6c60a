{{/*
Names. A release named after its chart (the Services component installs "gateway" from
charts/gateway) gets exactly that name, so the ServiceAccount in the IRSA trust policy and
the selectors in the runbook are predictable.
*/}}
{{- define "platform-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "platform-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "platform-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "platform-lib.serviceAccountName" -}}
{{- default (include "platform-lib.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "platform-lib.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

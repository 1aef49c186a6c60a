{{/*
The service's environment (docs/architecture.md, "Service environment"), as a ConfigMap the
Deployment loads with envFrom. Call with a dict:
  ctx         the chart's root context
  kafkaRoles  the MSK cluster roles the service talks to ("ingress", "egress"); their broker
              lists are required
Variables that are not derived from .Values.config come from .Values.env; each chart's
values.schema.json lists the names its service reads, so a misspelt variable is refused.
*/}}
{{- define "platform-lib.configmap" -}}
{{- $ctx := .ctx -}}
{{- $config := $ctx.Values.config -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "platform-lib.metadata" $ctx | nindent 2 }}
data:
  PORT: {{ $ctx.Values.service.port | quote }}
  LOG_LEVEL: {{ $config.logLevel | quote }}
  AWS_REGION: {{ $config.region | quote }}
  KAFKA_AUTH: {{ $config.kafka.auth | quote }}
  {{- if has "ingress" .kafkaRoles }}
  KAFKA_INGRESS_BROKERS: {{ required "config.kafka.ingressBrokers is required: comma-separated host:port of the ingress MSK cluster" $config.kafka.ingressBrokers | quote }}
  {{- end }}
  {{- if has "egress" .kafkaRoles }}
  KAFKA_EGRESS_BROKERS: {{ required "config.kafka.egressBrokers is required: comma-separated host:port of the egress MSK cluster" $config.kafka.egressBrokers | quote }}
  {{- end }}
  TABLE_PREFIX: {{ $config.tablePrefix | quote }}
  OTEL_SERVICE_NAME: {{ include "platform-lib.fullname" $ctx | quote }}
  {{- with $config.otelEndpoint }}
  OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
  {{- end }}
  {{- range $name, $value := $ctx.Values.env }}
  {{ $name }}: {{ $value | toString | quote }}
  {{- end }}
{{- end -}}

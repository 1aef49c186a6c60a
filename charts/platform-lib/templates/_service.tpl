{{/* ClusterIP Service on the HTTP port (API, probes and /metrics). */}}
{{- define "platform-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "platform-lib.metadata" . | nindent 2 }}
spec:
  type: ClusterIP
  selector:
    {{- include "platform-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

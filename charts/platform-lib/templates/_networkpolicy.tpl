{{/*
NetworkPolicy: everything not listed is denied, in both directions. Rules come from
.Values.networkPolicy:
  ingress: [{ name, from: [peer] }]            admitted to the HTTP port only
  egress:  [{ name, to: [peer], ports: [{ port, protocol }] }]
  allowDns: resolve names through CoreDNS in kube-system
A peer is { cidr, except? } or { namespace, podLabels? }.
*/}}
{{- define "platform-lib.networkPolicyPeer" -}}
{{- if .cidr -}}
- ipBlock:
    cidr: {{ .cidr }}
    {{- with .except }}
    except:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- else -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .namespace }}
  {{- with .podLabels }}
  podSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
  {{- end }}
{{- end -}}
{{- end -}}

{{- define "platform-lib.networkpolicy" -}}
{{- $np := .Values.networkPolicy -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "platform-lib.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- range $np.ingress }}
    # {{ .name }}
    - from:
        {{- range .from }}
        {{- include "platform-lib.networkPolicyPeer" . | nindent 8 }}
        {{- end }}
      ports:
        - port: http
          protocol: TCP
    {{- else }} []
    {{- end }}
  egress:
    {{- if $np.allowDns }}
    # dns
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- end }}
    {{- range $np.egress }}
    # {{ .name }}
    - to:
        {{- range .to }}
        {{- include "platform-lib.networkPolicyPeer" . | nindent 8 }}
        {{- end }}
      ports:
        {{- range .ports }}
        - port: {{ .port }}
          protocol: {{ .protocol | default "TCP" }}
        {{- end }}
    {{- end }}
    {{- if and (not $np.allowDns) (not $np.egress) }} []
    {{- end }}
{{- end -}}

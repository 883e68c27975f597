{{- define "iso.name" -}}imagestream-operator{{- end -}}
{{- define "iso.fullname" -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}-imagestream-operator{{- end -}}
{{- define "iso.labels" -}}
app.kubernetes.io/name: {{ include "iso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "iso.selector" -}}
app.kubernetes.io/name: {{ include "iso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "iso.servingSecret" -}}
{{- .Values.serving.certificate.secretName | default (printf "%s-serving-cert" (include "iso.fullname" .)) -}}
{{- end -}}
{{- define "iso.certManager" -}}
{{- if eq .Values.serving.certificate.source "cert-manager" }}true{{ end -}}
{{- end -}}
{{- define "iso.image" -}}
{{- with .Values.image.digest -}}
{{ $.Values.image.repository }}@{{ . }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

// Package metrics defines Downlink's Prometheus metrics in one place, on a
// registry owned by main (no global default registry), so every family and
// its labels can be read at a glance.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds every metric family Downlink exports.
type Registry struct {
	Reg *prometheus.Registry

	HTTPRequests *prometheus.CounterVec
	HTTPDuration *prometheus.HistogramVec

	DownloadsStarted  *prometheus.CounterVec
	DownloadsFinished *prometheus.CounterVec
	DownloadDuration  *prometheus.HistogramVec
	DownloadBytes     *prometheus.CounterVec
	YtdlpExits        *prometheus.CounterVec
	YtdlpDegraded     *prometheus.CounterVec
	SSEClients        prometheus.Gauge
	EventsDropped     prometheus.Counter
	WebhookDeliveries *prometheus.CounterVec
	LogsDropped       prometheus.Counter
	RateLimitRejected *prometheus.CounterVec
	AuthFailures      *prometheus.CounterVec
	RetentionDeleted  prometheus.Counter
	QueueJobs         *prometheus.GaugeVec
	ProcessesRunning  prometheus.Gauge
	StorageUsedBytes  prometheus.Gauge
	ReadinessProblems prometheus.Gauge
	ShutdownsRequeued prometheus.Counter
	HeartbeatRequeued prometheus.Counter
	OrphansFound      prometheus.Gauge
}

// New creates the registry with Go runtime and process collectors.
func New() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := factory{reg}
	return &Registry{
		Reg: reg,
		HTTPRequests: f.counterVec("downlink_http_requests_total",
			"HTTP requests by route pattern, method and status class.", "route", "method", "code"),
		HTTPDuration: f.histogramVec("downlink_http_request_duration_seconds",
			"HTTP request latency by route pattern.", prometheus.DefBuckets, "route", "method"),
		DownloadsStarted: f.counterVec("downlink_downloads_started_total",
			"Downloads whose yt-dlp run started, by platform.", "platform"),
		DownloadsFinished: f.counterVec("downlink_downloads_finished_total",
			"Downloads that reached a final state, by platform and state (completed, failed, canceled).", "platform", "status"),
		DownloadDuration: f.histogramVec("downlink_download_duration_seconds",
			"Wall time of completed downloads, by platform.",
			[]float64{1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}, "platform"),
		DownloadBytes: f.counterVec("downlink_download_bytes_total",
			"Bytes of finished files added to the library, by platform.", "platform"),
		YtdlpExits: f.counterVec("downlink_ytdlp_exits_total",
			"yt-dlp process exits by reason (ok, canceled, unavailable, network, …).", "reason"),
		YtdlpDegraded: f.counterVec("downlink_ytdlp_degraded_total",
			"yt-dlp runs that warned of a worse result, by platform and warning code (no_js_runtime, challenge_failed, po_token_missing, formats_missing, client_fallback).", "platform", "code"),
		SSEClients:    f.gauge("downlink_sse_clients", "Connected Server-Sent Events clients on this node."),
		EventsDropped: f.counter("downlink_events_dropped_total", "Live events dropped for slow subscribers."),
		WebhookDeliveries: f.counterVec("downlink_webhook_deliveries_total",
			"Webhook delivery attempts by outcome: succeeded, retrying (failed, another attempt is due) or failed (the delivery gave up).", "outcome"),
		LogsDropped: f.counter("downlink_logs_dropped_total",
			"Log records not written to the database: the buffer was full, or the database refused their batch."),
		RateLimitRejected: f.counterVec("downlink_rate_limit_rejected_total",
			"Requests refused with 429, by limiter (key, session, ip, quota, login, event_streams).", "limiter"),
		AuthFailures: f.counterVec("downlink_auth_failures_total",
			"Failed authentications by method (password, api_key, oidc).", "method"),
		RetentionDeleted: f.counter("downlink_retention_deleted_files_total",
			"Files removed by the retention policy."),
		QueueJobs: f.gaugeVec("downlink_queue_jobs",
			"Jobs per queue and state (queued, running), sampled on scrape.", "queue", "state"),
		ProcessesRunning: f.gauge("downlink_ytdlp_processes",
			"yt-dlp processes running on this node."),
		StorageUsedBytes:  f.gauge("downlink_storage_used_bytes", "Bytes of files in the library."),
		ReadinessProblems: f.gauge("downlink_readiness_problems", "Number of readiness problems at the last check."),
		ShutdownsRequeued: f.counter("downlink_downloads_requeued_on_start_total",
			"Downloads of this node re-queued at start after an unclean stop."),
		HeartbeatRequeued: f.counter("downlink_downloads_requeued_heartbeat_total",
			"Downloads re-queued because their node's heartbeat stopped."),
		OrphansFound: f.gauge("downlink_storage_orphans", "Files on disk without a row, at the last check."),
	}
}

type factory struct{ reg prometheus.Registerer }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

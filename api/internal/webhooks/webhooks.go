// Package webhooks calls admins' URLs when downloads finish, following the
// Standard Webhooks specification (https://www.standardwebhooks.com/):
// a signed JSON POST with webhook-id, webhook-timestamp and
// webhook-signature headers.
//
// A delivery row and its River job are written in the transaction that
// records the download's final state, so a delivery exists exactly when the
// transition does. Workers send each delivery through an HTTP client whose
// dialer checks every address it connects to (redirects are not followed),
// retry with backoff, and record every attempt on the row.
package webhooks

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/secrets"
)

// QueueName is the River queue deliveries run on; every node works it.
const QueueName = "webhooks"

// QueueWorkers is how many deliveries one node sends at once.
const QueueWorkers = 4

// UserAgent is sent with every delivery.
const UserAgent = "Downlink-Webhooks/1.0"

// DefaultRetrySchedule is the wait before each retry after a failed
// attempt (the schedule openapi.yaml documents): seven attempts in all.
var DefaultRetrySchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour,
}

// DefaultTimeout bounds one attempt: connecting, sending and reading the
// (bounded) answer.
const DefaultTimeout = 15 * time.Second

// Errors.
var (
	ErrNotFound = problem.New(http.StatusNotFound, "Webhook not found")
)

// Queue is the job queue as the service uses it.
type Queue interface {
	InsertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Config tunes deliveries; zero values take the defaults.
type Config struct {
	// RetrySchedule is the wait before each retry (jittered by up to ±10%);
	// a delivery gets len(RetrySchedule)+1 attempts.
	RetrySchedule []time.Duration
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Retention is how long finished deliveries stay in the log.
	Retention time.Duration
	// BaseURL is Downlink's public URL (DOWNLINK_BASE_URL); when set, the
	// files' content_url in payloads is absolute, so receivers can fetch
	// them. Empty leaves it relative.
	BaseURL string
}

// Deps are the service's collaborators.
type Deps struct {
	DB   *gorm.DB
	Keys *secrets.Keys
	// Queue takes the delivery jobs, in the transaction of the change
	// they announce.
	Queue Queue
	// Resolver answers DNS, both for the check of a URL when it is saved
	// and for every delivery; nil: the system's.
	Resolver netguard.Resolver
	// Dialer opens the connections of deliveries, always to an address the
	// guard checked; nil: a plain net.Dialer.
	Dialer netguard.ContextDialer
	// AllowPrivate says whether private networks are allowed now (the
	// DOWNLINK_ALLOW_PRIVATE_NETWORKS setting); nil means never.
	AllowPrivate func(ctx context.Context) bool
	Metrics      *metrics.Registry
	Logger       *slog.Logger
}

// Service manages webhooks and delivers their events.
type Service struct {
	db           *gorm.DB
	keys         *secrets.Keys
	resolver     netguard.Resolver
	dialer       netguard.ContextDialer
	allowPrivate func(ctx context.Context) bool
	metrics      *metrics.Registry
	log          *slog.Logger
	audit        *slog.Logger
	timeout      time.Duration
	retention    time.Duration
	baseURL      string
	client       *http.Client
	// dialPolicy overrides the connect-time policy (tests).
	dialPolicy netguard.Policy

	queue Queue

	mu       sync.RWMutex
	schedule []time.Duration
}

// New returns the service.
func New(cfg Config, d Deps) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if len(cfg.RetrySchedule) == 0 {
		cfg.RetrySchedule = DefaultRetrySchedule
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if d.Resolver == nil {
		d.Resolver = net.DefaultResolver
	}
	if d.Dialer == nil {
		d.Dialer = &net.Dialer{Timeout: 10 * time.Second}
	}
	if d.AllowPrivate == nil {
		d.AllowPrivate = func(context.Context) bool { return false }
	}
	s := &Service{
		db: d.DB, keys: d.Keys, queue: d.Queue, resolver: d.Resolver, dialer: d.Dialer, allowPrivate: d.AllowPrivate, metrics: d.Metrics,
		log: d.Logger.With("source", "webhooks"), audit: d.Logger.With("source", "audit", "audit", true), timeout: cfg.Timeout, retention: cfg.Retention,
		baseURL:  strings.TrimRight(cfg.BaseURL, "/"),
		schedule: append([]time.Duration(nil), cfg.RetrySchedule...),
	}
	s.client = s.newClient()
	return s
}

// SetRetrySchedule changes the waits between attempts for deliveries from
// now on (tests use short ones).
func (s *Service) SetRetrySchedule(d []time.Duration) {
	if len(d) == 0 {
		d = DefaultRetrySchedule
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedule = append([]time.Duration(nil), d...)
}

func (s *Service) retrySchedule() []time.Duration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.schedule
}

// guard is the SSRF policy in force now.
func (s *Service) guard(ctx context.Context) netguard.Guard {
	return netguard.Guard{AllowPrivate: s.allowPrivate(ctx)}
}

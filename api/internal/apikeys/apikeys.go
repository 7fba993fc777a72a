// Package apikeys lets programs use Downlink: keys in a recognisable,
// checksummed format stored only as hashes, scoped and never stronger than
// their owner, with per-key rate limits, daily download quotas, IP
// allow-lists and usage counts.
package apikeys

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// DefaultRateLimit is a key's requests per minute unless set.
const DefaultRateLimit = 60

// APIKey is a key as the API shows it (never the key itself).
type APIKey struct {
	ID                 uuid.UUID     `json:"id"`
	UserID             uuid.UUID     `json:"user_id"`
	Name               string        `json:"name"`
	Scopes             []authz.Scope `json:"scopes"`
	LastEight          string        `json:"last_eight"`
	Status             string        `json:"status"`
	ExpiresAt          *time.Time    `json:"expires_at"`
	RevokedAt          *time.Time    `json:"revoked_at"`
	LastUsedAt         *time.Time    `json:"last_used_at"`
	LastUsedIP         *string       `json:"last_used_ip"`
	RateLimitPerMinute int           `json:"rate_limit_per_minute"`
	DailyDownloadQuota *int          `json:"daily_download_quota"`
	AllowedIPs         []string      `json:"allowed_ips"`
	CreatedAt          time.Time     `json:"created_at"`
}

// Created is the answer to a creation: the key, shown this once.
type Created struct {
	APIKey
	Key string `json:"key"`
}

type row struct {
	ID                 uuid.UUID `gorm:"primaryKey;type:uuid"`
	UserID             uuid.UUID `gorm:"type:uuid"`
	Name               string
	Scopes             string
	KeyHash            string
	LastEight          string
	ExpiresAt          *time.Time
	RevokedAt          *time.Time
	LastUsedAt         *time.Time
	LastUsedIP         *string `gorm:"column:last_used_ip"`
	RateLimitPerMinute int
	DailyDownloadQuota *int
	AllowedIPs         string `gorm:"column:allowed_ips"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (row) TableName() string { return "api_keys" }

func (r row) view(now time.Time) APIKey {
	k := APIKey{ID: r.ID, UserID: r.UserID, Name: r.Name, Scopes: parseScopes(r.Scopes), LastEight: r.LastEight,
		ExpiresAt: utc(r.ExpiresAt), RevokedAt: utc(r.RevokedAt), LastUsedAt: utc(r.LastUsedAt), LastUsedIP: r.LastUsedIP,
		RateLimitPerMinute: r.RateLimitPerMinute, DailyDownloadQuota: r.DailyDownloadQuota,
		AllowedIPs: parseIPs(r.AllowedIPs), CreatedAt: r.CreatedAt.UTC(), Status: "active"}
	switch {
	case r.RevokedAt != nil:
		k.Status = "revoked"
	case r.ExpiresAt != nil && !r.ExpiresAt.After(now):
		k.Status = "expired"
	}
	return k
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func parseScopes(s string) []authz.Scope {
	out := []authz.Scope{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, authz.Scope(p))
		}
	}
	return out
}

func joinScopes(scopes []authz.Scope) string {
	ss := make([]string, 0, len(scopes))
	for _, s := range scopes {
		ss = append(ss, string(s))
	}
	sort.Strings(ss)
	return strings.Join(slices.Compact(ss), ",")
}

func parseIPs(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	if out == nil {
		out = []string{}
	}
	return out
}

// Errors.
var (
	ErrNotFound = problem.New(http.StatusNotFound, "API key not found")
	ErrRevoked  = problem.New(http.StatusConflict, "API key already revoked").WithDetail("A revoked key cannot be changed.")
)

// ExpiryPolicy gives the default and maximum key lifetimes in days (nil:
// none); settings provide it.
type ExpiryPolicy func(ctx context.Context) (defaultDays, maxDays *int)

// Service manages keys.
type Service struct {
	db     *gorm.DB
	log    *slog.Logger
	audit  *slog.Logger
	expiry ExpiryPolicy
	now    func() time.Time
	clock  func() time.Time // WithClock; nil: the system's

	usage    *usageRecorder
	lastUsed *lastUsedWriter
	limiter  *limiters
	limits   sync.Map // uuid.UUID → Limits, from the last authentication
}

// New returns the service; expiry gives the key lifetime limits (nil:
// none). Run must be running for usage and last-used times to reach the
// database.
func New(db *gorm.DB, log *slog.Logger, expiry ExpiryPolicy, opts ...Option) *Service {
	if expiry == nil {
		expiry = func(context.Context) (*int, *int) { return nil, nil }
	}
	s := &Service{
		db: db, log: log.With("source", "apikeys"), audit: log.With("source", "audit", "audit", true),
		expiry: expiry,
		now:    func() time.Time { return time.Now().UTC() },
	}
	// The buckets read the monotonic clock, unless a test gives one.
	limiterNow := time.Now
	for _, o := range opts {
		o(s)
	}
	if s.clock != nil {
		limiterNow = s.clock
		s.now = func() time.Time { return s.clock().UTC() }
	}
	s.usage = newUsageRecorder(db, s.log)
	s.lastUsed = newLastUsedWriter(db, s.log)
	s.limiter = newLimiters(limiterNow)
	return s
}

// Option adjusts a Service at New.
type Option func(*Service)

// WithClock makes the service read the time from now instead of the
// system clock: key expiry and the rate-limit buckets' refills. A test
// seam: a test advances the clock instead of sleeping out a refill.
func WithClock(now func() time.Time) Option {
	return func(s *Service) { s.clock = now }
}

// Run flushes usage counts and last-used times until ctx ends, then once
// more.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.Flush(flushCtx)
			cancel()
			return
		case <-t.C:
			s.Flush(ctx)
		}
	}
}

// Flush writes pending usage counts and last-used times now.
func (s *Service) Flush(ctx context.Context) {
	s.usage.flush(ctx)
	s.lastUsed.flush(ctx)
}

// Spec is what a key may do and how much.
type Spec struct {
	Name               string
	Scopes             []authz.Scope
	ExpiresAt          *time.Time
	ExpiresSet         bool // ExpiresAt was given (nil then means never)
	RateLimitPerMinute int
	DailyDownloadQuota *int
	AllowedIPs         []string
}

func (s *Service) checkSpec(ctx context.Context, owner *authz.Principal, role authz.Role, sp *Spec, creating bool) error {
	if creating || sp.Name != "" {
		// Checked after trimming: "   " would otherwise be stored as "".
		sp.Name = strings.TrimSpace(sp.Name)
		if n := utf8.RuneCountInString(sp.Name); n == 0 || n > 100 {
			return problem.Invalid("name", "must be 1 to 100 characters, not only spaces")
		}
	}
	if sp.Scopes != nil {
		if len(sp.Scopes) == 0 {
			return problem.Invalid("scopes", "give at least one scope")
		}
		for _, sc := range sp.Scopes {
			if !sc.Valid() {
				return problem.Invalid("scopes", "unknown scope "+string(sc))
			}
			if sc.AdminOnly() && role != authz.RoleAdmin {
				return problem.Invalid("scopes", string(sc)+" is only for administrators' keys")
			}
		}
	}
	if sp.AllowedIPs != nil {
		if len(sp.AllowedIPs) > 50 {
			return problem.Invalid("allowed_ips", "at most 50 entries")
		}
		for i, c := range sp.AllowedIPs {
			p, err := parsePrefix(c)
			if err != nil {
				return problem.Invalid("allowed_ips", "entry "+strconv.Itoa(i+1)+" is not an IP or CIDR: "+clip.String(c, 60))
			}
			sp.AllowedIPs[i] = p.String()
		}
	}
	defDays, maxDays := s.expiry(ctx)
	now := s.now()
	if creating && !sp.ExpiresSet && defDays != nil {
		t := now.Add(time.Duration(*defDays) * 24 * time.Hour)
		sp.ExpiresAt = &t
	}
	if sp.ExpiresSet || creating {
		if sp.ExpiresAt != nil && !sp.ExpiresAt.After(now) {
			return problem.Invalid("expires_at", "must be in the future")
		}
		if maxDays != nil {
			limit := now.Add(time.Duration(*maxDays) * 24 * time.Hour)
			if sp.ExpiresAt == nil {
				return problem.Invalid("expires_at", "keys must expire within "+strconv.Itoa(*maxDays)+" days")
			}
			if sp.ExpiresAt.After(limit.Add(time.Minute)) {
				return problem.Invalid("expires_at", "must be at most "+strconv.Itoa(*maxDays)+" days away")
			}
		}
	}
	_ = owner
	return nil
}

// Create makes a key for the caller.
func (s *Service) Create(ctx context.Context, owner *authz.Principal, sp Spec) (Created, error) {
	if sp.Scopes == nil {
		sp.Scopes = []authz.Scope{}
	}
	if sp.AllowedIPs == nil {
		sp.AllowedIPs = []string{}
	}
	if err := s.checkSpec(ctx, owner, owner.Role, &sp, true); err != nil {
		return Created{}, err
	}
	if sp.RateLimitPerMinute == 0 {
		sp.RateLimitPerMinute = DefaultRateLimit
	}
	key, err := Generate()
	if err != nil {
		return Created{}, err
	}
	ips, _ := json.Marshal(sp.AllowedIPs)
	now := s.now()
	r := row{ID: store.NewID(), UserID: owner.UserID, Name: strings.TrimSpace(sp.Name), Scopes: joinScopes(sp.Scopes),
		KeyHash: Hash(key), LastEight: LastEight(key), ExpiresAt: sp.ExpiresAt,
		RateLimitPerMinute: sp.RateLimitPerMinute, DailyDownloadQuota: sp.DailyDownloadQuota,
		AllowedIPs: string(ips), CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Created{}, err
	}
	s.audit.InfoContext(ctx, "api key created", "action", "api_key.created", "actor_id", owner.UserID, "target", "api_key:"+r.ID.String(),
		"name", r.Name, "scopes", r.Scopes, "last_eight", r.LastEight)
	return Created{APIKey: r.view(now), Key: key}, nil
}

// get loads a key the caller may manage (their own; any for admins).
func (s *Service) get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (row, error) {
	var r row
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if !caller.MayActOnOthers(authz.Read) {
		q = q.Where("user_id = ?", caller.UserID)
	}
	if err := q.Take(&r).Error; err != nil {
		return row{}, store.NotFound(err, ErrNotFound)
	}
	return r, nil
}

// Get returns one key the caller may see.
func (s *Service) Get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (APIKey, error) {
	r, err := s.get(ctx, caller, id)
	if err != nil {
		return APIKey{}, err
	}
	return r.view(s.now()), nil
}

// OwnerRole returns the role of a key's owner (to check scopes on update).
type OwnerRole func(ctx context.Context, userID uuid.UUID) (authz.Role, error)

// Update changes a key.
func (s *Service) Update(ctx context.Context, caller *authz.Principal, id uuid.UUID, sp Spec, roleOf OwnerRole) (APIKey, error) {
	r, err := s.get(ctx, caller, id)
	if err != nil {
		return APIKey{}, err
	}
	if r.RevokedAt != nil {
		return APIKey{}, ErrRevoked
	}
	role, err := roleOf(ctx, r.UserID)
	if err != nil {
		return APIKey{}, err
	}
	if err := s.checkSpec(ctx, caller, role, &sp, false); err != nil {
		return APIKey{}, err
	}
	updates := map[string]any{"updated_at": s.now()}
	if sp.Name != "" {
		updates["name"] = strings.TrimSpace(sp.Name)
	}
	if sp.Scopes != nil {
		updates["scopes"] = joinScopes(sp.Scopes)
	}
	if sp.ExpiresSet {
		updates["expires_at"] = sp.ExpiresAt
	}
	if sp.RateLimitPerMinute != 0 {
		updates["rate_limit_per_minute"] = sp.RateLimitPerMinute
	}
	if sp.DailyDownloadQuota != nil {
		if *sp.DailyDownloadQuota == 0 {
			updates["daily_download_quota"] = nil
		} else {
			updates["daily_download_quota"] = *sp.DailyDownloadQuota
		}
	}
	if sp.AllowedIPs != nil {
		b, _ := json.Marshal(sp.AllowedIPs)
		updates["allowed_ips"] = string(b)
	}
	if err := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return APIKey{}, err
	}
	s.limiter.forget(id)
	s.audit.InfoContext(ctx, "api key updated", "action", "api_key.updated", "actor_id", caller.UserID, "target", "api_key:"+id.String())
	return s.Get(ctx, caller, id)
}

// Revoke stops a key at once (on every node: each request reads the row).
func (s *Service) Revoke(ctx context.Context, caller *authz.Principal, id uuid.UUID) error {
	r, err := s.get(ctx, caller, id)
	if err != nil {
		return err
	}
	if r.RevokedAt != nil {
		return nil
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Model(&row{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	s.audit.InfoContext(ctx, "api key revoked", "action", "api_key.revoked", "actor_id", caller.UserID, "target", "api_key:"+id.String(),
		"owner_id", r.UserID, "last_eight", r.LastEight)
	return nil
}

// ListParams choose whose keys to list.
type ListParams struct {
	UserID *uuid.UUID // admin only: one user's keys
	All    bool       // admin only: everyone's keys
	Limit  int
	Cursor string
}

// ErrAdminParam refuses user_id/all for non-admins.
var ErrAdminParam = problem.ErrForbidden.WithDetail("Only administrators may list other users' keys.")

// List returns keys newest first.
func (s *Service) List(ctx context.Context, caller *authz.Principal, p ListParams) (paging.Page[APIKey], error) {
	if (p.UserID != nil || p.All) && !caller.MayActOnOthers(authz.Read) {
		return paging.Page[APIKey]{}, ErrAdminParam
	}
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[APIKey]{}, err
	}
	bound := paging.Bind("id", p)
	cur, err := paging.Decode(p.Cursor, bound)
	if err != nil {
		return paging.Page[APIKey]{}, err
	}
	q := s.db.WithContext(ctx).Model(&row{})
	switch {
	case p.All:
	case p.UserID != nil:
		q = q.Where("user_id = ?", *p.UserID)
	default:
		q = q.Where("user_id = ?", caller.UserID)
	}
	if cur != nil {
		q = q.Where("id < ?", cur.ID)
	}
	var rows []row
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return paging.Page[APIKey]{}, err
	}
	now := s.now()
	page := paging.Finish(rows, limit, func(r row) paging.Cursor { return paging.NewCursor(bound, nil, r.ID.String()) })
	return paging.Map(page, func(r row) APIKey { return r.view(now) }), nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

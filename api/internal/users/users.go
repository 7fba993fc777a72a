// Package users keeps Downlink's accounts: local ones with argon2id
// passwords and OIDC ones matched by issuer and subject, their roles and
// whether they may sign in. The last active admin is protected.
package users

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// Auth sources.
const (
	SourceLocal = "local"
	SourceOIDC  = "oidc"
)

// User is an account as the API shows it.
type User struct {
	ID                uuid.UUID  `json:"id"`
	Email             string     `json:"email"`
	Name              string     `json:"name"`
	AvatarURL         *string    `json:"avatar_url"`
	Role              authz.Role `json:"role"`
	Disabled          bool       `json:"disabled"`
	AuthSource        string     `json:"auth_source"`
	Issuer            *string    `json:"issuer"`
	LastLoginAt       *time.Time `json:"last_login_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	StorageQuotaBytes *int64     `json:"storage_quota_bytes"`
	// MustChangePassword: the password is a temporary one an admin set;
	// the account may do nothing but change it.
	MustChangePassword bool `json:"must_change_password"`
}

// row is the users table.
type row struct {
	ID                 uuid.UUID `gorm:"primaryKey;type:uuid"`
	Email              string
	Name               string
	AvatarURL          *string
	Role               string
	Disabled           bool
	PasswordHash       *string
	AuthSource         string
	OIDCIssuer         *string `gorm:"column:oidc_issuer"`
	OIDCSubject        *string `gorm:"column:oidc_subject"`
	StorageQuotaBytes  *int64
	MustChangePassword bool
	LastLoginAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (row) TableName() string { return "users" }

func (r row) user() User {
	u := User{
		ID: r.ID, Email: r.Email, Name: r.Name, AvatarURL: r.AvatarURL, Role: authz.Role(r.Role),
		Disabled: r.Disabled, AuthSource: r.AuthSource, Issuer: r.OIDCIssuer,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), StorageQuotaBytes: r.StorageQuotaBytes,
		MustChangePassword: r.MustChangePassword,
	}
	if r.LastLoginAt != nil {
		t := r.LastLoginAt.UTC()
		u.LastLoginAt = &t
	}
	return u
}

// Errors.
var (
	ErrNotFound           = problem.New(http.StatusNotFound, "User not found")
	ErrEmailTaken         = problem.New(http.StatusConflict, "E-mail already used").WithDetail("Another account uses this e-mail address.")
	ErrLastAdmin          = problem.New(http.StatusConflict, "Last admin").WithDetail("This is the last active admin; make someone else admin first.")
	ErrInvalidCredentials = problem.New(http.StatusUnauthorized, "Invalid credentials").WithDetail("The e-mail or password is wrong.")
	ErrDisabled           = problem.New(http.StatusForbidden, "Account disabled").WithDetail("This account is disabled; ask an administrator.")
	ErrNotLocal           = problem.Invalid("new_password", "this account signs in through its identity provider and has no password here")
	ErrWrongPassword      = problem.Invalid("current_password", "is wrong")
)

// Service manages accounts.
type Service struct {
	db *gorm.DB
	// checkPassword is CheckPassword (tests watch which hashes are checked).
	checkPassword func(hash, password string) (bool, error)
	params        PasswordParams
	dummyHash     func() string
}

// Option adjusts a Service at New.
type Option func(*Service)

// WithPasswordParams makes new password hashes with p instead of
// DefaultPasswordParams. A test seam: suites that create and sign in
// hundreds of accounts use argon2id's cheapest costs; a server never does.
func WithPasswordParams(p PasswordParams) Option { return func(s *Service) { s.params = p } }

// New returns the service over db.
func New(db *gorm.DB, opts ...Option) *Service {
	s := &Service{db: db, checkPassword: CheckPassword, params: DefaultPasswordParams}
	for _, o := range opts {
		o(s)
	}
	s.dummyHash = dummyHash(s.params)
	return s
}

// NormalizeEmail lower-cases and checks an e-mail address.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || len(e) > 254 {
		return "", problem.Invalid("email", "must be an e-mail address")
	}
	return e, nil
}

// NewLocal describes a local account to create.
type NewLocal struct {
	Email    string
	Name     string
	Role     authz.Role
	Password string
	// MustChangePassword makes Password a temporary one (an admin's).
	MustChangePassword bool
}

// CreateLocal creates a local account.
func (s *Service) CreateLocal(ctx context.Context, n NewLocal) (User, error) {
	return s.createLocal(ctx, s.db, n)
}

func (s *Service) createLocal(ctx context.Context, db *gorm.DB, n NewLocal) (User, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return User{}, err
	}
	if len(n.Password) < MinPasswordLength {
		return User{}, problem.Invalid("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	if !n.Role.Valid() {
		return User{}, problem.Invalid("role", "must be admin or user")
	}
	hash, err := s.params.Hash(n.Password)
	if err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(n.Name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	now := time.Now().UTC()
	r := row{ID: store.NewID(), Email: email, Name: name, Role: string(n.Role), PasswordHash: &hash,
		AuthSource: SourceLocal, MustChangePassword: n.MustChangePassword, CreatedAt: now, UpdatedAt: now}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return User{}, ErrEmailTaken
		}
		return User{}, err
	}
	return r.user(), nil
}

// CreateFirstAdmin creates a local admin only while no user exists, in one
// transaction that holds the users table against writers, so two racing
// setup calls cannot both succeed. It returns ErrSetupDone when an account
// already exists.
func (s *Service) CreateFirstAdmin(ctx context.Context, n NewLocal) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Without the lock, Postgres let every racer count zero users and
		// insert its own admin. (SQLite transactions are IMMEDIATE: they
		// already hold the database's write lock.)
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").Error; err != nil {
				return err
			}
		}
		var count int64
		if err := tx.Model(&row{}).Count(&count).Error; err != nil {
			return err
		}
		if count > 0 {
			return ErrSetupDone
		}
		n.Role = authz.RoleAdmin
		var err error
		u, err = s.createLocal(ctx, tx, n)
		return err
	})
	return u, err
}

// ErrSetupDone means the first admin exists.
var ErrSetupDone = problem.New(http.StatusConflict, "Setup already completed").WithDetail("An account exists; sign in instead.")

// Get returns a user by id.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (User, error) {
	var r row
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if err != nil {
		return User{}, store.NotFound(err, ErrNotFound)
	}
	return r.user(), nil
}

// GetByEmail returns a user by e-mail.
func (s *Service) GetByEmail(ctx context.Context, email string) (User, error) {
	var r row
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&r).Error
	if err != nil {
		return User{}, store.NotFound(err, ErrNotFound)
	}
	return r.user(), nil
}

// Count returns how many accounts exist.
func (s *Service) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&row{}).Count(&n).Error
	return n, err
}

// CheckLocalPassword returns the local user with this e-mail and password,
// or ErrInvalidCredentials for a wrong e-mail, a wrong password or an
// account without a password (the same answer, in about the same time).
// A disabled account with the right password is ErrDisabled.
func (s *Service) CheckLocalPassword(ctx context.Context, email, password string) (User, error) {
	var r row
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&r).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, err
	}
	hash := s.dummyHash()
	if err == nil && r.PasswordHash != nil {
		hash = *r.PasswordHash
	}
	ok, herr := s.checkPassword(hash, password)
	if err != nil || r.PasswordHash == nil || herr != nil || !ok {
		return User{}, ErrInvalidCredentials
	}
	if r.Disabled {
		return User{}, ErrInvalidCredentials
	}
	return r.user(), nil
}

// SetPassword replaces a local account's password (no longer a temporary
// one).
func (s *Service) SetPassword(ctx context.Context, id uuid.UUID, password string) error {
	return s.setPassword(ctx, s.db, id, password)
}

func (s *Service) setPassword(ctx context.Context, db *gorm.DB, id uuid.UUID, password string) error {
	if len(password) < MinPasswordLength {
		return problem.Invalid("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	var r row
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return store.NotFound(err, ErrNotFound)
	}
	if r.AuthSource != SourceLocal {
		return ErrNotLocal
	}
	hash, err := s.params.Hash(password)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Model(&row{}).Where("id = ?", id).
		Updates(map[string]any{"password_hash": hash, "must_change_password": false, "updated_at": time.Now().UTC()}).Error
}

// ChangePassword checks the current password, then sets a new one.
func (s *Service) ChangePassword(ctx context.Context, id uuid.UUID, current, next string) error {
	var r row
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return store.NotFound(err, ErrNotFound)
	}
	if r.AuthSource != SourceLocal || r.PasswordHash == nil {
		return ErrNotLocal
	}
	ok, err := s.checkPassword(*r.PasswordHash, current)
	if err != nil || !ok {
		return ErrWrongPassword
	}
	if len(next) < MinPasswordLength {
		return problem.Invalid("new_password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	if r.MustChangePassword && next == current {
		return problem.Invalid("new_password", "must differ from the temporary password")
	}
	return s.SetPassword(ctx, id, next)
}

// TouchLogin records a successful sign-in.
func (s *Service) TouchLogin(ctx context.Context, id uuid.UUID) error {
	now := time.Now().UTC()
	return s.db.WithContext(ctx).Model(&row{}).Where("id = ?", id).
		Updates(map[string]any{"last_login_at": now}).Error
}

// Profile is a change to one's own name or avatar.
type Profile struct {
	Name      *string
	AvatarURL **string // nil: keep; *nil: remove
}

// UpdateProfile changes name and avatar.
func (s *Service) UpdateProfile(ctx context.Context, id uuid.UUID, p Profile) (User, error) {
	updates := map[string]any{"updated_at": time.Now().UTC()}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || len(name) > 100 {
			return User{}, problem.Invalid("name", "must be 1 to 100 characters")
		}
		updates["name"] = name
	}
	if p.AvatarURL != nil {
		updates["avatar_url"] = *p.AvatarURL
	}
	res := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", id).Updates(updates)
	if res.Error != nil {
		return User{}, res.Error
	}
	if res.RowsAffected == 0 {
		return User{}, ErrNotFound
	}
	return s.Get(ctx, id)
}

// Change is an admin's change to an account; nil fields stay.
type Change struct {
	Role              *authz.Role
	Disabled          *bool
	Name              *string
	StorageQuotaBytes **int64
}

// Update applies an admin's change. The last active admin can be neither
// demoted nor disabled: the target and every active admin are locked
// before the check, in one order, so two admins demoting each other
// cannot both win (nor deadlock).
func (s *Service) Update(ctx context.Context, id uuid.UUID, ch Change) (before, after User, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, activeAdmins, err := lockForChange(tx, id)
		if err != nil {
			return err
		}
		before = r.user()
		updates := map[string]any{"updated_at": time.Now().UTC()}
		losesAdmin := false
		if ch.Role != nil {
			if !ch.Role.Valid() {
				return problem.Invalid("role", "must be admin or user")
			}
			updates["role"] = string(*ch.Role)
			losesAdmin = r.Role == string(authz.RoleAdmin) && *ch.Role != authz.RoleAdmin
		}
		if ch.Disabled != nil {
			updates["disabled"] = *ch.Disabled
			losesAdmin = losesAdmin || (r.Role == string(authz.RoleAdmin) && *ch.Disabled && !r.Disabled)
		}
		if ch.Name != nil {
			name := strings.TrimSpace(*ch.Name)
			if name == "" || len(name) > 100 {
				return problem.Invalid("name", "must be 1 to 100 characters")
			}
			updates["name"] = name
		}
		if ch.StorageQuotaBytes != nil {
			if q := *ch.StorageQuotaBytes; q != nil && *q < 0 {
				return problem.Invalid("storage_quota_bytes", "must be 0 or more")
			}
			updates["storage_quota_bytes"] = *ch.StorageQuotaBytes
		}
		if losesAdmin && !r.Disabled && activeAdmins <= 1 {
			return ErrLastAdmin
		}
		if err := tx.Model(&row{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
			return err
		}
		after = r.user()
		return nil
	})
	return before, after, err
}

// lockForChange locks the user id and every active admin for the rest of
// tx, and returns the user and how many active admins there are.
//
// Postgres: the rows are locked in id order (so concurrent changes queue
// instead of deadlocking), and a change that waited sees the rows as the
// one before it left them. SQLite transactions are IMMEDIATE: the whole
// database is already locked for writing.
func lockForChange(tx *gorm.DB, id uuid.UUID) (row, int, error) {
	q := store.ForUpdate(tx.Where("id = ? OR (role = ? AND disabled = ?)", id, string(authz.RoleAdmin), false).Order("id"))
	var rows []row
	if err := q.Find(&rows).Error; err != nil {
		return row{}, 0, err
	}
	var (
		target row
		found  bool
		admins int
	)
	for _, r := range rows {
		if r.ID == id {
			target, found = r, true
		}
		if r.Role == string(authz.RoleAdmin) && !r.Disabled {
			admins++
		}
	}
	if !found {
		return row{}, 0, ErrNotFound
	}
	return target, admins, nil
}

// ListParams filter and page the user list.
type ListParams struct {
	Query    string
	Role     authz.Role
	Disabled *bool
	Limit    int
	Cursor   string
}

// List returns users newest first.
func (s *Service) List(ctx context.Context, p ListParams) (paging.Page[User], error) {
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[User]{}, err
	}
	bound := paging.Bind("id", p)
	cur, err := paging.Decode(p.Cursor, bound)
	if err != nil {
		return paging.Page[User]{}, err
	}
	q := s.db.WithContext(ctx).Model(&row{})
	if p.Query != "" {
		like := "%" + strings.ToLower(strings.TrimSpace(p.Query)) + "%"
		q = q.Where("LOWER(email) LIKE ? OR LOWER(name) LIKE ?", like, like)
	}
	if p.Role != "" {
		q = q.Where("role = ?", string(p.Role))
	}
	if p.Disabled != nil {
		q = q.Where("disabled = ?", *p.Disabled)
	}
	if cur != nil {
		q = q.Where("id < ?", cur.ID)
	}
	var rows []row
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return paging.Page[User]{}, err
	}
	page := paging.Finish(rows, limit, func(r row) paging.Cursor { return paging.NewCursor(bound, nil, r.ID.String()) })
	return paging.Map(page, row.user), nil
}

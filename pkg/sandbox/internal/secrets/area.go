// Package secrets is the sandbox's Secrets Manager: the secrets, their
// versions and staging labels, rotation (performed by the sandbox itself,
// since it cannot run Lambda), scheduled deletion and tags, in the state
// file's "secrets". Limits and error names come from botocore's
// secretsmanager/2017-10-17 model and AWS's documentation;
// docs/sandbox-secrets.md lists each rule with its source and the decisions
// the sandbox made.
package secrets

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is Secrets Manager.
type Area struct {
	h   *area.Host
	sec *store.Section // guards st
	st  *state
}

// state is Secrets Manager's part of the state file.
type state struct {
	Secrets []*secret
}

// New loads the secrets from the state file, or starts with none, and
// registers Secrets Manager's operations.
func New(h *area.Host) (*Area, error) {
	a := &Area{h: h, st: &state{}}
	if err := h.Store.Load("secrets", &a.st.Secrets); err != nil {
		return nil, err
	}
	if h.Store.Loaded() {
		for _, s := range a.st.Secrets {
			if s.Name == "" || s.ARN == "" {
				return nil, h.Store.Corrupt(fmt.Errorf("a secret without a name or ARN"))
			}
		}
	}
	a.sec = h.Section(func() []store.Member {
		return []store.Member{{Key: "secrets", Value: a.st.Secrets}}
	})
	r, svc := h.Router, router.SecretsManager
	r.Register(svc, "CreateSecret", router.Handle(a.createSecret))
	r.Register(svc, "GetSecretValue", router.Handle(a.getSecretValue))
	r.Register(svc, "BatchGetSecretValue", router.Handle(a.batchGetSecretValue))
	r.Register(svc, "PutSecretValue", router.Handle(a.putSecretValue))
	r.Register(svc, "UpdateSecret", router.Handle(a.updateSecret))
	r.Register(svc, "UpdateSecretVersionStage", router.Handle(a.updateSecretVersionStage))
	r.Register(svc, "DescribeSecret", router.Handle(a.describeSecret))
	r.Register(svc, "ListSecrets", router.Handle(a.listSecrets))
	r.Register(svc, "ListSecretVersionIds", router.Handle(a.listSecretVersionIds))
	r.Register(svc, "RotateSecret", router.Handle(a.rotateSecret))
	r.Register(svc, "CancelRotateSecret", router.Handle(a.cancelRotateSecret))
	r.Register(svc, "DeleteSecret", router.Handle(a.deleteSecret))
	r.Register(svc, "RestoreSecret", router.Handle(a.restoreSecret))
	r.Register(svc, "TagResource", router.Handle(a.tagResource))
	r.Register(svc, "UntagResource", router.Handle(a.untagResource))
	r.Register(svc, "GetRandomPassword", router.Handle(a.getRandomPassword))
	return a, nil
}

// view runs fn with the secrets locked, after the sweep of the secrets
// whose recovery window has ended.
func (a *Area) view(fn func(st *state)) {
	now := a.h.Clock()
	a.sec.View(func() { fn(a.st.visible(now)) })
}

// mutate runs fn with the secrets locked and, if fn succeeds, saves them.
func (a *Area) mutate(fn func(st *state, now time.Time) error) error {
	now := a.h.Clock()
	return a.sec.Mutate(func() error {
		a.st.sweep(now)
		return fn(a.st, now)
	})
}

// visible is the state without the secrets whose recovery window has
// ended (a view cannot delete them; the next change does).
func (st *state) visible(now time.Time) *state {
	gone := false
	for _, s := range st.Secrets {
		if s.gone(now) {
			gone = true
			break
		}
	}
	if !gone {
		return st
	}
	return &state{Secrets: slices.DeleteFunc(slices.Clone(st.Secrets), func(s *secret) bool { return s.gone(now) })}
}

// sweep deletes the secrets whose recovery window has ended: "At the end
// of the recovery window, Secrets Manager deletes the secret permanently."
func (st *state) sweep(now time.Time) {
	st.Secrets = slices.DeleteFunc(st.Secrets, func(s *secret) bool { return s.gone(now) })
}

// find resolves a SecretId: a name, a full ARN, or a partial ARN (the ARN
// without its random suffix).
func (st *state) find(id string) *secret {
	for _, s := range st.Secrets {
		if s.Name == id || s.ARN == id {
			return s
		}
	}
	if strings.HasPrefix(id, "arn:") {
		for _, s := range st.Secrets {
			if s.ARN[:len(s.ARN)-7] == id {
				return s
			}
		}
	}
	return nil
}

func errNotFound() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func errInvalidParameter(format string, args ...any) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidParameterException", format, args...)
}

func errInvalidRequest(format string, args ...any) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidRequestException", format, args...)
}

// errDeleted is the answer to anything but DescribeSecret, ListSecrets,
// RestoreSecret and DeleteSecret on a secret scheduled for deletion.
func errDeleted() *protocol.APIError {
	return errInvalidRequest("You can't perform this operation on the secret because it was marked for deletion.")
}

// lookup finds a secret that is not scheduled for deletion.
func (st *state) lookup(id string) (*secret, error) {
	s := st.find(id)
	if s == nil {
		return nil, errNotFound()
	}
	if s.DeletedDate != nil {
		return nil, errDeleted()
	}
	return s, nil
}

// suffixChars are the characters of an ARN's random suffix.
const suffixChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// arnFor makes a new secret's ARN: "Secrets Manager automatically adds a
// hyphen and six random characters after the secret name at the end of
// the ARN."
func (a *Area) arnFor(name string) string {
	var b strings.Builder
	for range 6 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(suffixChars))))
		b.WriteByte(suffixChars[n.Int64()])
	}
	return a.h.ARN("secretsmanager", a.h.Region, "secret:"+name+"-"+b.String())
}

// newVersionID is a version ID the sandbox makes itself (a UUID).
func newVersionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

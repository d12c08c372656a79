package secrets

import (
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// DeleteSecret, RestoreSecret, TagResource and UntagResource.

// The recovery window: "The number of days from 7 to 30", 30 by default.
const (
	minRecoveryDays     = 7
	maxRecoveryDays     = 30
	defaultRecoveryDays = 30
)

func (a *Area) deleteSecret(in *deleteSecretInput) (*deleteSecretOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	if err := v.Err(); err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if force && in.RecoveryWindowInDays != nil {
		return nil, errInvalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(defaultRecoveryDays)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < minRecoveryDays || days > maxRecoveryDays {
			return nil, errInvalidParameter("The RecoveryWindowInDays value must be between %d and %d days (inclusive).", minRecoveryDays, maxRecoveryDays)
		}
	}
	var out deleteSecretOutput
	err := a.mutate(func(st *state, now time.Time) error {
		s := st.find(*in.SecretId)
		if s == nil {
			if force {
				// "If you forcibly delete an already deleted or
				// nonexistent secret, the operation does not return
				// ResourceNotFoundException."
				out = deleteSecretOutput{ARN: *in.SecretId, Name: *in.SecretId, DeletionDate: protocol.Epoch(now)}
				return nil
			}
			return errNotFound()
		}
		if s.DeletedDate != nil && !force {
			return errInvalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.")
		}
		out = deleteSecretOutput{ARN: s.ARN, Name: s.Name}
		if force {
			st.Secrets = deleteSecretFrom(st.Secrets, s)
			out.DeletionDate = protocol.Epoch(now)
			return nil
		}
		t, at := now, now.Add(time.Duration(days)*24*time.Hour)
		s.DeletedDate, s.DeleteAt = &t, &at
		out.DeletionDate = protocol.Epoch(at)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func deleteSecretFrom(ss []*secret, s *secret) []*secret {
	out := ss[:0]
	for _, x := range ss {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func (a *Area) restoreSecret(in *secretIDInput) (*arnName, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out arnName
	err := a.mutate(func(st *state, now time.Time) error {
		s := st.find(*in.SecretId)
		if s == nil {
			return errNotFound()
		}
		s.DeletedDate, s.DeleteAt = nil, nil
		s.Changed = now
		out = arnName{ARN: s.ARN, Name: s.Name}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) tagResource(in *tagResourceInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	v.Required("tags", in.Tags != nil)
	validateTags(&v, in.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		merged := append([]tag(nil), s.Tags...)
		for _, t := range in.Tags {
			if i := indexTag(merged, *t.Key); i >= 0 {
				merged[i].Value = *t.Value
			} else {
				merged = append(merged, tag{Key: *t.Key, Value: *t.Value})
			}
		}
		if len(merged) > tags.MaxPerResource {
			return errInvalidParameter("A secret can have at most %d tags.", tags.MaxPerResource)
		}
		s.Tags = merged
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func indexTag(ts []tag, key string) int {
	for i, t := range ts {
		if t.Key == key {
			return i
		}
	}
	return -1
}

func (a *Area) untagResource(in *untagResourceInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	v.Required("tagKeys", in.TagKeys != nil)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			if i := indexTag(s.Tags, k); i >= 0 {
				s.Tags = append(s.Tags[:i], s.Tags[i+1:]...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

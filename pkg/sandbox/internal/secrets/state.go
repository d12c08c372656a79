package secrets

import (
	"bytes"
	"slices"
	"time"
)

// The stored secrets, their versions and staging labels.

// The staging labels Secrets Manager moves itself.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
)

// maxVersions is the number of versions Secrets Manager keeps: it
// "removes unlabeled versions when there are more than 100, but it does
// not remove versions created less than 24 hours ago" (AWS Secrets
// Manager quotas).
const maxVersions = 100

// keepRecent is how long a version is kept whatever the count.
const keepRecent = 24 * time.Hour

type secret struct {
	Name        string            `json:"name"`
	ARN         string            `json:"arn"`
	Description string            `json:"description,omitempty"`
	KmsKeyID    string            `json:"kmsKeyId,omitempty"`
	Tags        []tag             `json:"tags,omitempty"`
	Created     time.Time         `json:"created"`
	Changed     time.Time         `json:"changed"`
	Accessed    *time.Time        `json:"accessed,omitempty"`
	DeletedDate *time.Time        `json:"deletedDate,omitempty"`
	DeleteAt    *time.Time        `json:"deleteAt,omitempty"`
	Rotation    *rotation         `json:"rotation,omitempty"`
	Versions    []*version        `json:"versions,omitempty"` // oldest first
	Extra       map[string]string `json:"extra,omitempty"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type rotation struct {
	Enabled     bool       `json:"enabled"`
	LambdaARN   string     `json:"lambdaArn,omitempty"`
	AfterDays   int64      `json:"afterDays,omitempty"`
	Schedule    string     `json:"schedule,omitempty"`
	Duration    string     `json:"duration,omitempty"`
	LastRotated *time.Time `json:"lastRotated,omitempty"`
}

type version struct {
	ID       string     `json:"id"`
	String   *string    `json:"string,omitempty"`
	Binary   []byte     `json:"binary,omitempty"`
	Stages   []string   `json:"stages,omitempty"`
	Created  time.Time  `json:"created"`
	Accessed *time.Time `json:"accessed,omitempty"`
}

// gone says whether the secret's recovery window has ended.
func (s *secret) gone(now time.Time) bool {
	return s.DeleteAt != nil && !now.Before(*s.DeleteAt)
}

func (s *secret) version(id string) *version {
	for _, v := range s.Versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (s *secret) staged(stage string) *version {
	for _, v := range s.Versions {
		if slices.Contains(v.Stages, stage) {
			return v
		}
	}
	return nil
}

// sameValue says whether a version holds exactly this value.
func (v *version) sameValue(str *string, bin []byte) bool {
	if (v.String == nil) != (str == nil) {
		return false
	}
	if str != nil && *v.String != *str {
		return false
	}
	return bytes.Equal(v.Binary, bin)
}

// attach moves stage to v, from whichever version held it; moving
// AWSCURRENT moves AWSPREVIOUS to the version AWSCURRENT left.
func (s *secret) attach(v *version, stage string) {
	holder := s.staged(stage)
	if holder == v {
		return
	}
	if holder != nil {
		holder.Stages = slices.DeleteFunc(holder.Stages, func(x string) bool { return x == stage })
	}
	v.Stages = append(v.Stages, stage)
	if stage == stageCurrent && holder != nil {
		s.attach(holder, stagePrevious)
	}
}

// detach removes stage from v.
func (v *version) detach(stage string) {
	v.Stages = slices.DeleteFunc(v.Stages, func(x string) bool { return x == stage })
}

// prune drops the oldest unlabelled versions beyond maxVersions that are
// older than keepRecent.
func (s *secret) prune(now time.Time) {
	for len(s.Versions) > maxVersions {
		i := slices.IndexFunc(s.Versions, func(v *version) bool {
			return len(v.Stages) == 0 && now.Sub(v.Created) >= keepRecent
		})
		if i < 0 {
			return
		}
		s.Versions = slices.Delete(s.Versions, i, i+1)
	}
}

// tagMap is the secret's tags by key.
func (s *secret) tagIndex(key string) int {
	return slices.IndexFunc(s.Tags, func(t tag) bool { return t.Key == key })
}

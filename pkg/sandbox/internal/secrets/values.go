package secrets

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// CreateSecret, PutSecretValue, UpdateSecret, GetSecretValue,
// BatchGetSecretValue and UpdateSecretVersionStage.

// maxValue is SecretString's and SecretBinary's maximum (the model:
// SecretStringType and SecretBinaryType, max 65536).
const maxValue = 65536

// namePattern is CreateSecret's name rule: "ASCII letters, numbers, and
// the following characters: /_+=.@-".
var namePattern = lazyre.New(`^[A-Za-z0-9/_+=.@-]+$`)

// validateValue applies the model's rules to a secret value without ever
// quoting it.
func validateValue(v *protocol.Validator, str *string, bin []byte) {
	if str != nil {
		if len(*str) < 1 {
			v.Add("'***'", "secretString", "Member must have length greater than or equal to 1")
		}
		if len(*str) > maxValue {
			v.Add("'***'", "secretString", fmt.Sprintf("Member must have length less than or equal to %d", maxValue))
		}
	}
	if bin != nil {
		if len(bin) < 1 {
			v.Add("'***'", "secretBinary", "Member must have length greater than or equal to 1")
		}
		if len(bin) > maxValue {
			v.Add("'***'", "secretBinary", fmt.Sprintf("Member must have length less than or equal to %d", maxValue))
		}
	}
}

func validateToken(v *protocol.Validator, token *string) {
	if token != nil {
		v.Length("clientRequestToken", *token, 32, 64)
	}
}

func validateSecretID(v *protocol.Validator, id *string) {
	if v.Required("secretId", id != nil) {
		v.Length("secretId", *id, 1, 2048)
	}
}

func validateTags(v *protocol.Validator, ts []tagWire) {
	for i, t := range ts {
		p := fmt.Sprintf("tags.%d.member", i+1)
		if t.Key != nil {
			v.Length(p+".key", *t.Key, 1, 128)
		}
		if t.Value != nil {
			v.Length(p+".value", *t.Value, 0, 256)
		}
	}
}

// checkTags applies the tag rules beyond the model: a key and a value
// each, no aws: keys, at most 50 tags.
func checkTags(ts []tagWire) error {
	for _, t := range ts {
		if t.Key == nil || t.Value == nil {
			return errInvalidParameter("A tag must have a key and a value.")
		}
		if tags.Reserved(*t.Key) {
			return errInvalidParameter("Invalid tag key: keys beginning with aws: are reserved for AWS use.")
		}
	}
	return nil
}

func oneValue(str *string, bin []byte) error {
	if str != nil && bin != nil {
		return errInvalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	return nil
}

// createSecret creates a secret and, with a value, its first version
// (AWSCURRENT).
func (a *Area) createSecret(in *createSecretInput) (*createSecretOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 512)
	}
	validateToken(&v, in.ClientRequestToken)
	if in.Description != nil {
		v.Length("description", *in.Description, 0, 2048)
	}
	if in.KmsKeyId != nil {
		v.Length("kmsKeyId", *in.KmsKeyId, 0, 2048)
	}
	validateValue(&v, in.SecretString, in.SecretBinary)
	validateTags(&v, in.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	name := *in.Name
	if !namePattern.MatchString(name) {
		return nil, errInvalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	if len(in.AddReplicaRegions) > 0 {
		return nil, errInvalidRequest("The sandbox does not replicate secrets to other Regions.")
	}
	if err := oneValue(in.SecretString, in.SecretBinary); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.Tags) > tags.MaxPerResource {
		return nil, errInvalidParameter("A secret can have at most %d tags.", tags.MaxPerResource)
	}
	var out createSecretOutput
	err := a.mutate(func(st *state, now time.Time) error {
		if s := st.find(name); s != nil {
			if s.DeletedDate != nil {
				return errInvalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.")
			}
			// A retry of the same creation: the same token and value
			// answer what the first call made.
			if in.ClientRequestToken != nil {
				if ver := s.version(*in.ClientRequestToken); ver != nil && ver.sameValue(in.SecretString, in.SecretBinary) {
					out = createSecretOutput{ARN: s.ARN, Name: s.Name, VersionId: ver.ID}
					return nil
				}
			}
			return protocol.Errorf(http.StatusBadRequest, "ResourceExistsException", "The operation failed because the secret %s already exists.", name)
		}
		s := &secret{Name: name, ARN: a.arnFor(name), Description: protocol.Deref(in.Description), KmsKeyID: protocol.Deref(in.KmsKeyId), Created: now, Changed: now}
		for _, t := range in.Tags {
			if i := s.tagIndex(*t.Key); i >= 0 {
				s.Tags[i].Value = *t.Value
			} else {
				s.Tags = append(s.Tags, tag{Key: *t.Key, Value: *t.Value})
			}
		}
		out = createSecretOutput{ARN: s.ARN, Name: s.Name}
		if in.SecretString != nil || in.SecretBinary != nil {
			id := newVersionID()
			if in.ClientRequestToken != nil {
				id = *in.ClientRequestToken
			}
			s.Versions = []*version{{ID: id, String: in.SecretString, Binary: in.SecretBinary, Stages: []string{stageCurrent}, Created: now}}
			out.VersionId = id
		}
		st.Secrets = append(st.Secrets, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// addVersion adds a version with the given value and stages (none:
// AWSCURRENT), or, when the token names a version that exists, answers
// that version if it holds the same value and refuses otherwise.
func (s *secret) addVersion(token *string, str *string, bin []byte, stages []string, now time.Time) (*version, error) {
	id := newVersionID()
	if token != nil {
		id = *token
		if ver := s.version(id); ver != nil {
			if ver.sameValue(str, bin) {
				return ver, nil
			}
			return nil, protocol.Errorf(http.StatusBadRequest, "ResourceExistsException", "A version with this ClientRequestToken already exists with a different value. You can't modify an existing version; you can only create new versions.")
		}
	}
	if len(stages) == 0 {
		stages = []string{stageCurrent}
	}
	s.prune(now)
	if len(s.Versions) >= maxVersions && !slices.ContainsFunc(s.Versions, func(v *version) bool {
		return len(v.Stages) == 0 && now.Sub(v.Created) >= keepRecent
	}) {
		return nil, protocol.Errorf(http.StatusBadRequest, "LimitExceededException", "You have reached the quota of %d versions for this secret: Secrets Manager removes unlabeled versions only when they are more than 24 hours old.", maxVersions)
	}
	ver := &version{ID: id, String: str, Binary: bin, Created: now}
	s.Versions = append(s.Versions, ver)
	for _, st := range stages {
		s.attach(ver, st)
	}
	s.prune(now)
	s.Changed = now
	return ver, nil
}

func validateStages(v *protocol.Validator, stages []string) {
	if stages != nil {
		v.Count("versionStages", len(stages), 1, 20)
	}
	for i, st := range stages {
		v.Length(fmt.Sprintf("versionStages.%d.member", i+1), st, 1, 256)
	}
}

// putSecretValue adds a version to a secret.
func (a *Area) putSecretValue(in *putSecretValueInput) (*putSecretValueOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	validateToken(&v, in.ClientRequestToken)
	validateValue(&v, in.SecretString, in.SecretBinary)
	validateStages(&v, in.VersionStages)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := oneValue(in.SecretString, in.SecretBinary); err != nil {
		return nil, err
	}
	if in.SecretString == nil && in.SecretBinary == nil {
		return nil, errInvalidParameter("You must provide either SecretString or SecretBinary.")
	}
	var out putSecretValueOutput
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		ver, err := s.addVersion(in.ClientRequestToken, in.SecretString, in.SecretBinary, in.VersionStages, now)
		if err != nil {
			return err
		}
		out = putSecretValueOutput{ARN: s.ARN, Name: s.Name, VersionId: ver.ID, VersionStages: slices.Clone(ver.Stages)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// updateSecret changes a secret's description or KMS key and, with a
// value, adds a version (AWSCURRENT).
func (a *Area) updateSecret(in *updateSecretInput) (*createSecretOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	validateToken(&v, in.ClientRequestToken)
	if in.Description != nil {
		v.Length("description", *in.Description, 0, 2048)
	}
	if in.KmsKeyId != nil {
		v.Length("kmsKeyId", *in.KmsKeyId, 0, 2048)
	}
	validateValue(&v, in.SecretString, in.SecretBinary)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := oneValue(in.SecretString, in.SecretBinary); err != nil {
		return nil, err
	}
	var out createSecretOutput
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		if in.Description != nil {
			s.Description = *in.Description
		}
		if in.KmsKeyId != nil {
			s.KmsKeyID = *in.KmsKeyId
		}
		s.Changed = now
		out = createSecretOutput{ARN: s.ARN, Name: s.Name}
		if in.SecretString != nil || in.SecretBinary != nil {
			// Unlike CreateSecret and PutSecretValue, "If you call this
			// operation with a ClientRequestToken that matches an
			// existing version's VersionId, the operation results in an
			// error" (UpdateSecret's documentation), same value or not.
			if in.ClientRequestToken != nil && s.version(*in.ClientRequestToken) != nil {
				return protocol.Errorf(http.StatusBadRequest, "ResourceExistsException", "A version with this ClientRequestToken already exists. You can't modify an existing version; you can only create new versions.")
			}
			ver, err := s.addVersion(in.ClientRequestToken, in.SecretString, in.SecretBinary, nil, now)
			if err != nil {
				return err
			}
			out.VersionId = ver.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// getSecretValue answers one version's value: by ID, by stage, or
// AWSCURRENT.
func (a *Area) getSecretValue(in *getSecretValueInput) (*secretValue, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	if in.VersionId != nil {
		v.Length("versionId", *in.VersionId, 32, 64)
	}
	if in.VersionStage != nil {
		v.Length("versionStage", *in.VersionStage, 1, 256)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *secretValue
	err := a.mutate(func(st *state, now time.Time) error {
		s := st.find(*in.SecretId)
		if s == nil {
			return errNotFound()
		}
		if s.DeletedDate != nil {
			return errInvalidRequest("You can't perform this operation on the secret because it was marked for deletion.")
		}
		sv, err := s.value(in.VersionId, in.VersionStage, now)
		out = sv
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// value finds a version and records the access.
func (s *secret) value(id, stage *string, now time.Time) (*secretValue, error) {
	var ver *version
	switch {
	case id != nil:
		ver = s.version(*id)
		if ver == nil {
			return nil, errVersionNotFound(*id)
		}
		if stage != nil && !slices.Contains(ver.Stages, *stage) {
			return nil, errInvalidRequest("You provided a VersionStage that is not associated to the provided VersionId.")
		}
	default:
		label := stageCurrent
		if stage != nil {
			label = *stage
		}
		ver = s.staged(label)
		if ver == nil {
			return nil, protocol.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", label)
		}
	}
	// LastAccessedDate is "the date", without the time.
	day := now.UTC().Truncate(24 * time.Hour)
	s.Accessed, ver.Accessed = &day, &day
	return &secretValue{ARN: s.ARN, Name: s.Name, VersionId: ver.ID, SecretString: ver.String, SecretBinary: ver.Binary,
		VersionStages: slices.Clone(ver.Stages), CreatedDate: protocol.Epoch(ver.Created)}, nil
}

// batchGetSecretValue answers the AWSCURRENT values of up to 20 secrets,
// by ID or by filter; a secret that cannot be read is an entry in Errors.
func (a *Area) batchGetSecretValue(in *batchGetSecretValueInput) (*batchGetSecretValueOutput, error) {
	var v protocol.Validator
	if in.SecretIdList != nil {
		v.Count("secretIdList", len(in.SecretIdList), 1, 20)
	}
	v.Count("filters", len(in.Filters), 0, 10)
	v.IntRange("maxResults", in.MaxResults, 1, 20)
	validateFilters(&v, in.Filters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if (in.SecretIdList == nil) == (in.Filters == nil) {
		return nil, errInvalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	}
	if in.SecretIdList != nil && in.MaxResults != nil {
		return nil, errInvalidParameter("'MaxResults' can be used only with 'Filters'.")
	}
	out := &batchGetSecretValueOutput{SecretValues: []secretValue{}, Errors: []apiErrorEntry{}}
	err := a.mutate(func(st *state, now time.Time) error {
		if in.SecretIdList != nil {
			for _, id := range in.SecretIdList {
				s := st.find(id)
				var err *protocol.APIError
				switch {
				case s == nil:
					err = errNotFound()
				case s.DeletedDate != nil:
					err = errDeleted()
				default:
					sv, verr := s.value(nil, nil, now)
					if verr == nil {
						out.SecretValues = append(out.SecretValues, *sv)
						continue
					}
					err = verr.(*protocol.APIError)
				}
				out.Errors = append(out.Errors, apiErrorEntry{SecretId: id, ErrorCode: err.Type, Message: err.Message})
			}
			return nil
		}
		matched := st.filter(in.Filters, false)
		size := 20
		if in.MaxResults != nil {
			size = int(*in.MaxResults)
		}
		page, next, ok := protocol.PageOf(matched, protocol.Deref(in.NextToken), protocol.PageFingerprint("BatchGetSecretValue", in.Filters), size, func(s *secret) *secret { return s })
		if !ok {
			return protocol.Errorf(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken value is not valid.")
		}
		out.NextToken = next
		for _, s := range page {
			sv, err := s.value(nil, nil, now)
			if err != nil {
				e := err.(*protocol.APIError)
				out.Errors = append(out.Errors, apiErrorEntry{SecretId: s.Name, ErrorCode: e.Type, Message: e.Message})
				continue
			}
			out.SecretValues = append(out.SecretValues, *sv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateSecretVersionStage moves or removes a staging label.
func (a *Area) updateSecretVersionStage(in *updateSecretVersionStageInput) (*arnName, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	if v.Required("versionStage", in.VersionStage != nil) {
		v.Length("versionStage", *in.VersionStage, 1, 256)
	}
	if in.RemoveFromVersionId != nil {
		v.Length("removeFromVersionId", *in.RemoveFromVersionId, 32, 64)
	}
	if in.MoveToVersionId != nil {
		v.Length("moveToVersionId", *in.MoveToVersionId, 32, 64)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	stage := *in.VersionStage
	var out arnName
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		holder := s.staged(stage)
		if in.RemoveFromVersionId != nil {
			from := s.version(*in.RemoveFromVersionId)
			if from == nil {
				return errVersionNotFound(*in.RemoveFromVersionId)
			}
			if from != holder {
				return errInvalidParameter("The staging label %s is not attached to version %s, so it can't be removed from it.", stage, from.ID)
			}
		}
		var to *version
		if in.MoveToVersionId != nil {
			to = s.version(*in.MoveToVersionId)
			if to == nil {
				return errVersionNotFound(*in.MoveToVersionId)
			}
		}
		switch {
		case to == nil && in.RemoveFromVersionId == nil:
			return errInvalidParameter("You must specify MoveToVersionId, RemoveFromVersionId, or both.")
		case to == nil:
			if stage == stageCurrent {
				return errInvalidParameter("You can't remove the staging label AWSCURRENT from a version without moving it to another version: use MoveToVersionId.")
			}
			holder.detach(stage)
		case holder != nil && holder != to && in.RemoveFromVersionId == nil:
			return errInvalidParameter("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", stage, holder.ID)
		default:
			if len(to.Stages) >= 20 && !slices.Contains(to.Stages, stage) {
				return protocol.Errorf(http.StatusBadRequest, "LimitExceededException", "A version can have at most 20 staging labels.")
			}
			s.attach(to, stage)
		}
		s.Changed = now
		out = arnName{ARN: s.ARN, Name: s.Name}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func errVersionNotFound(id string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", id)
}

package secrets

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ssmctl/ssmctl/pkg/clock"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Writes. CreateSecret, PutSecretValue, UpdateSecret (with a value) and
// RotateSecret each carry one ClientRequestToken that ssmctl makes before
// the first attempt, so every retry (the SDK's, after an answer that was
// lost) names the same version and Secrets Manager makes it once
// (docs/reliability.md).

// MaxValue is the largest value Secrets Manager stores (SecretString and
// SecretBinary, 65,536 bytes).
const MaxValue = 65536

func (c *Client) token() string {
	if c.NewToken != nil {
		return c.NewToken()
	}
	return NewToken()
}

// NewToken is a random UUID (version 4), a ClientRequestToken.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CheckValue refuses a value Secrets Manager would refuse, without
// quoting it.
func CheckValue(v []byte) error {
	if len(v) == 0 {
		return exitcode.Usagef("the secret value is empty")
	}
	if len(v) > MaxValue {
		return exitcode.Usagef("the secret value is %d bytes; Secrets Manager stores at most %d", len(v), MaxValue)
	}
	return nil
}

// NewValue is a value to store: text, or binary.
type NewValue struct {
	String *string
	Binary []byte
}

// Text is a text value.
func Text(s string) NewValue { return NewValue{String: &s} }

// Create is CreateSecret's request.
type Create struct {
	Name, Description, KmsKeyID string
	Tags                        map[string]string
	Value                       *NewValue
}

// Result is what a write answers.
type Result struct {
	Name, ARN, VersionID string
	Stages               []string
}

// Create creates a secret.
func (c *Client) Create(ctx context.Context, r Create) (Result, error) {
	in := &secretsmanager.CreateSecretInput{Name: aws.String(r.Name)}
	if r.Description != "" {
		in.Description = aws.String(r.Description)
	}
	if r.KmsKeyID != "" {
		in.KmsKeyId = aws.String(r.KmsKeyID)
	}
	keys := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(r.Tags[k])})
	}
	if r.Value != nil {
		in.SecretString, in.SecretBinary = r.Value.String, r.Value.Binary
		in.ClientRequestToken = aws.String(c.token())
	}
	out, err := c.API.CreateSecret(ctx, in)
	if err != nil {
		return Result{}, err
	}
	res := Result{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN), VersionID: aws.ToString(out.VersionId)}
	if res.VersionID != "" {
		res.Stages = []string{"AWSCURRENT"}
	}
	return res, nil
}

// Put adds a version; no stages: AWSCURRENT.
func (c *Client) Put(ctx context.Context, id string, v NewValue, stages []string) (Result, error) {
	out, err := c.API.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(id), SecretString: v.String, SecretBinary: v.Binary,
		VersionStages: stages, ClientRequestToken: aws.String(c.token())})
	if err != nil {
		return Result{}, err
	}
	return Result{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN), VersionID: aws.ToString(out.VersionId), Stages: out.VersionStages}, nil
}

// Update changes a secret's description or KMS key (nil: unchanged).
func (c *Client) Update(ctx context.Context, id string, description, kmsKeyID *string) (Result, error) {
	out, err := c.API.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(id), Description: description, KmsKeyId: kmsKeyID})
	if err != nil {
		return Result{}, err
	}
	return Result{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN)}, nil
}

// ErrChanged is SetField's answer when another writer made a new
// AWSCURRENT version between its read and its write.
var ErrChanged = errors.New("the secret changed while set-field ran")

// SetField reads the AWSCURRENT value, a JSON object, sets key (a
// top-level key) to value and stores the result as a new version, which
// becomes AWSCURRENT only if AWSCURRENT is still on the version it read.
//
// Secrets Manager has no conditional PutSecretValue, but
// UpdateSecretVersionStage moves a label only when RemoveFromVersionId
// names the version that holds it ("If the label is attached and you
// either do not specify this parameter, or the version ID does not
// match, then the operation fails"). So the new version is stored with a
// label of its own (not AWSCURRENT), then AWSCURRENT is moved to it from
// the version read (AWSPREVIOUS follows, as after a put), then the
// label of its own is removed. If another writer got in between, the new
// version is left without labels (deprecated) and the answer wraps
// ErrChanged: nothing the other writer stored is lost.
func (c *Client) SetField(ctx context.Context, id, key, value string) (Result, error) {
	cur, err := c.Get(ctx, id, "", "")
	if err != nil {
		return Result{}, err
	}
	obj := map[string]any{}
	if cur.String == nil || decodeObject(*cur.String, &obj) != nil || obj == nil {
		return Result{}, exitcode.New(exitcode.AWS, "secret %s is not a JSON object: set-field changes a key of one (put replaces the whole value)", cur.Name)
	}
	obj[key] = value
	b, err := json.Marshal(obj)
	if err != nil {
		return Result{}, err
	}
	if err := CheckValue(b); err != nil {
		return Result{}, err
	}
	token := c.token()
	label := "ssmctl-set-field-" + token
	put, err := c.API.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(string(b)),
		VersionStages: []string{label}, ClientRequestToken: aws.String(token)})
	if err != nil {
		return Result{}, err
	}
	res := Result{Name: aws.ToString(put.Name), ARN: aws.ToString(put.ARN), VersionID: aws.ToString(put.VersionId)}
	_, moveErr := c.API.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(id),
		VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(res.VersionID), RemoveFromVersionId: aws.String(cur.VersionID)})
	stages, descErr := c.stagesOf(ctx, id, res.VersionID)
	// The move may have succeeded with its answer lost: what counts is
	// where AWSCURRENT is now.
	moved := descErr == nil && slices.Contains(stages, "AWSCURRENT") || descErr != nil && moveErr == nil
	_, unlabelErr := c.API.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(id),
		VersionStage: aws.String(label), RemoveFromVersionId: aws.String(res.VersionID)})
	if !moved {
		if moveErr == nil {
			moveErr = descErr
		}
		return Result{}, exitcode.Wrap(exitcode.AWS, fmt.Errorf("%w: AWSCURRENT is no longer on version %s, which set-field read, so version %s was not made current (it is kept without labels); read the secret again and retry (%v)",
			ErrChanged, cur.VersionID, res.VersionID, moveErr))
	}
	res.Stages = []string{"AWSCURRENT"}
	if unlabelErr != nil {
		// A retry after a lost answer finds the label gone already.
		if st, err := c.stagesOf(ctx, id, res.VersionID); err == nil && !slices.Contains(st, label) {
			return res, nil
		}
		return res, fmt.Errorf("version %s is AWSCURRENT, but removing the staging label %s from it failed: %w", res.VersionID, label, unlabelErr)
	}
	return res, nil
}

// decodeObject reads a JSON object keeping numbers as written
// (json.Number), so the keys set-field does not touch keep their exact
// value (a float64 would round integers beyond 2^53).
func decodeObject(s string, obj *map[string]any) error {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(obj); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

// stagesOf is the staging labels of one version.
func (c *Client) stagesOf(ctx context.Context, id, versionID string) ([]string, error) {
	d, err := c.Describe(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.Versions[versionID], nil
}

// Deletion is what DeleteSecret did.
type Deletion struct {
	Name, ARN string
	// Gone is when the secret is deleted for good (now, when forced).
	Gone  time.Time
	Force bool
}

// Delete schedules a secret's deletion after window days (7..30), or
// deletes it at once when force.
func (c *Client) Delete(ctx context.Context, id string, window int64, force bool) (Deletion, error) {
	in := &secretsmanager.DeleteSecretInput{SecretId: aws.String(id)}
	if force {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else if window > 0 {
		in.RecoveryWindowInDays = aws.Int64(window)
	}
	out, err := c.API.DeleteSecret(ctx, in)
	if err != nil {
		return Deletion{}, err
	}
	return Deletion{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN), Gone: aws.ToTime(out.DeletionDate), Force: force}, nil
}

// Restore cancels a scheduled deletion.
func (c *Client) Restore(ctx context.Context, id string) (Result, error) {
	out, err := c.API.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return Result{}, err
	}
	return Result{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN)}, nil
}

// Rotate is RotateSecret's request.
type Rotate struct {
	ID, Lambda string
	// Days or Schedule (a rate() or cron() expression); Window is the
	// rotation window's Duration ("2h").
	Days             int64
	Schedule, Window string
	NoImmediate      bool
	// Wait is how long to wait for the rotation to finish (it runs
	// asynchronously in AWS); Poll how often to look.
	Wait, Poll time.Duration
	Clock      clock.Clock
}

// Rotation is how a rotation ended.
type Rotation struct {
	Name, ARN, VersionID string
	// Done: AWSCURRENT is on the new version. Pending: AWSPENDING is
	// still on it when the wait ended (a failed or unfinished rotation).
	Done, Pending bool
	// Stages are the secret's versions and their stages as the rotation
	// left them.
	Stages map[string][]string
	// Retried: Secrets Manager answered that a previous rotation was not
	// complete and reattempts it.
	Retried bool
}

// Rotate starts a rotation (or, with NoImmediate, sets the schedule and
// lets Secrets Manager test the function) and waits until AWSCURRENT is on
// the new version or the wait is over.
func (c *Client) Rotate(ctx context.Context, r Rotate) (*Rotation, error) {
	in := &secretsmanager.RotateSecretInput{SecretId: aws.String(r.ID), ClientRequestToken: aws.String(c.token())}
	if r.Lambda != "" {
		in.RotationLambdaARN = aws.String(r.Lambda)
	}
	if r.Days > 0 || r.Schedule != "" || r.Window != "" {
		in.RotationRules = &types.RotationRulesType{}
		if r.Days > 0 {
			in.RotationRules.AutomaticallyAfterDays = aws.Int64(r.Days)
		}
		if r.Schedule != "" {
			in.RotationRules.ScheduleExpression = aws.String(r.Schedule)
		}
		if r.Window != "" {
			in.RotationRules.Duration = aws.String(r.Window)
		}
	}
	if r.NoImmediate {
		in.RotateImmediately = aws.Bool(false)
	}
	res := &Rotation{}
	out, err := c.API.RotateSecret(ctx, in)
	if err != nil {
		var ire *types.InvalidRequestException
		if !errors.As(err, &ire) || !strings.Contains(strings.ToLower(ire.ErrorMessage()), "previous rotation isn't complete") {
			return nil, err
		}
		res.Retried = true
	} else {
		res.Name, res.ARN, res.VersionID = aws.ToString(out.Name), aws.ToString(out.ARN), aws.ToString(out.VersionId)
	}
	if r.NoImmediate && !res.Retried {
		res.Done = true
		return res, nil
	}
	clk := clock.OrSystem(r.Clock)
	deadline := clk.Now().Add(r.Wait)
	for {
		d, err := c.Describe(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		res.Name, res.ARN, res.Stages = d.Name, d.ARN, d.Versions
		pending := ""
		for id, st := range d.Versions {
			if slices.Contains(st, "AWSPENDING") && !slices.Contains(st, "AWSCURRENT") {
				pending = id
			}
		}
		if res.VersionID == "" {
			res.VersionID = pending
		}
		cur := d.Versions[res.VersionID]
		if slices.Contains(cur, "AWSCURRENT") || res.VersionID == "" && pending == "" {
			res.Done, res.Pending = true, false
			return res, nil
		}
		res.Pending = pending != ""
		if !clk.Now().Before(deadline) {
			return res, nil
		}
		if err := clk.Sleep(ctx, r.Poll); err != nil {
			return nil, err
		}
	}
}

// CancelRotation turns rotation off; the version an unfinished rotation
// left AWSPENDING on, if any, is answered.
func (c *Client) CancelRotation(ctx context.Context, id string) (Result, error) {
	out, err := c.API.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return Result{}, err
	}
	return Result{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN), VersionID: aws.ToString(out.VersionId)}, nil
}

package secrets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// racingAPI stores another version (the other writer) right after the
// first GetSecretValue, between set-field's read and its write.
type racingAPI struct {
	API
	raced bool
}

func (r *racingAPI) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	out, err := r.API.GetSecretValue(ctx, in, opts...)
	if err == nil && !r.raced {
		r.raced = true
		if _, err := r.API.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: in.SecretId, SecretString: aws.String(`{"user":"u","password":"theirs"}`),
			ClientRequestToken: aws.String(NewToken())}); err != nil {
			return nil, err
		}
	}
	return out, err
}

// set-field against the sandbox: the new version becomes AWSCURRENT (and
// the old one AWSPREVIOUS) with no label of set-field's left behind; when
// another writer stores a version between the read and the write,
// set-field does not overwrite it.
func TestSetFieldCompareAndSwap(t *testing.T) {
	t.Parallel()
	s := sandbox.Start(t, sandbox.Options{})
	sm := secretsmanager.NewFromConfig(s.AWSConfig())
	ctx := context.Background()
	var tokens []string
	c := &Client{API: sm, NewToken: func() string { tokens = append(tokens, NewToken()); return tokens[len(tokens)-1] }}
	first, err := c.Create(ctx, Create{Name: "db", Value: &NewValue{String: aws.String(`{"user":"u","password":"p1","id":12345678901234567890,"ratio":0.10}`)}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.SetField(ctx, "db", "password", "p2")
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 2 || r.VersionID != tokens[1] {
		t.Errorf("set-field's version %s, tokens %q: the write must carry its own ClientRequestToken", r.VersionID, tokens)
	}
	d, err := c.Describe(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Versions[r.VersionID], []string{"AWSCURRENT"}) || !slices.Equal(d.Versions[first.VersionID], []string{"AWSPREVIOUS"}) || len(d.Versions) != 2 {
		t.Errorf("stages after set-field: %v", d.Versions)
	}
	v, _ := c.Get(ctx, "db", "", "")
	if *v.String != `{"id":12345678901234567890,"password":"p2","ratio":0.10,"user":"u"}` {
		t.Errorf("value after set-field: %s", *v.String)
	}

	race := &racingAPI{API: sm}
	_, err = (&Client{API: race}).SetField(ctx, "db", "password", "mine")
	if !errors.Is(err, ErrChanged) || strings.Contains(err.Error(), "mine") || strings.Contains(err.Error(), "theirs") {
		t.Fatalf("set-field racing another writer: %v", err)
	}
	v, _ = c.Get(ctx, "db", "", "")
	if *v.String != `{"user":"u","password":"theirs"}` {
		t.Errorf("the other writer's value was overwritten: AWSCURRENT is %s", *v.String)
	}
	d, _ = c.Describe(ctx, "db")
	for id, st := range d.Versions {
		for _, l := range st {
			if strings.HasPrefix(l, "ssmctl-") {
				t.Errorf("label %s left on %s", l, id)
			}
		}
	}
}

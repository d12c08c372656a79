package secrets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestField(t *testing.T) {
	// Numbers print as written: an account ID beyond 2^53 or 0.10 is not
	// rounded through float64.
	const v = `{"user":"u","pw":"p@ss","n":5,"ok":true,"db":{"host":"h","tags":["a"],"id":12345678901234567890},"a.b":"dot","r":0.10}`
	for path, want := range map[string]string{"user": "u", "pw": "p@ss", "n": "5", "ok": "true", "db.host": "h", "db.tags": `["a"]`, "a.b": "dot",
		"db": `{"host":"h","id":12345678901234567890,"tags":["a"]}`, "db.id": "12345678901234567890", "r": "0.10"} {
		got, err := Field("s", v, path)
		if err != nil || got != want {
			t.Errorf("Field(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	_, err := Field("s", v, "password")
	if exitcode.Code(err) != exitcode.AWS || err.Error() != `secret s has no key "password"; its keys: a.b, db, n, ok, pw, r, user` || strings.Contains(err.Error(), "p@ss") {
		t.Errorf("missing key: %v", err)
	}
	_, err = Field("s", v, "db.port")
	if err == nil || !strings.HasSuffix(err.Error(), "its keys: db.host, db.id, db.tags") {
		t.Errorf("missing nested key: %v", err)
	}
	if _, err := Field("s", "not json p@ss", "x"); err == nil || strings.Contains(err.Error(), "p@ss") {
		t.Errorf("not JSON: %v", err)
	}
}

// fakeAPI answers GetSecretValue from a map and records PutSecretValue.
type fakeAPI struct {
	API
	values map[string]string
	tokens []string
}

func (f *fakeAPI) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	v := f.values[*in.SecretId]
	return &secretsmanager.GetSecretValueOutput{Name: in.SecretId, SecretString: &v}, nil
}

func (f *fakeAPI) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	f.tokens = append(f.tokens, aws.ToString(in.ClientRequestToken))
	f.values[*in.SecretId] = *in.SecretString
	return &secretsmanager.PutSecretValueOutput{Name: in.SecretId, VersionId: in.ClientRequestToken}, nil
}

func TestEnv(t *testing.T) {
	f := &fakeAPI{values: map[string]string{"prod/db": `{"user":"u","db-host":"h","port":5432}`, "prod/api-key": "k", "prod/over": `{"user":"v"}`}}
	c := &Client{API: f}
	vars, over, err := c.Env(context.Background(), []string{"prod/db", "prod/api-key", "prod/over"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name] = v.Value
	}
	if len(got) != 4 || got["DB_HOST"] != "h" || got["PORT"] != "5432" || got["USER"] != "v" || got["API_KEY"] != "k" {
		t.Errorf("vars %v", got)
	}
	if len(over) != 1 || over[0].Name != "USER" || over[0].From != "prod/db.user" || over[0].Over != "prod/over.user" {
		t.Errorf("overrides %+v", over)
	}
}

func TestWritesCarryAToken(t *testing.T) {
	f := &fakeAPI{values: map[string]string{"s": `{"a":"1"}`}}
	c := &Client{API: f}
	if _, err := c.Put(context.Background(), "s", Text("x"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(context.Background(), "s", Text("y"), nil); err != nil {
		t.Fatal(err)
	}
	if len(f.tokens) != 2 || len(f.tokens[0]) != 36 || f.tokens[0] == f.tokens[1] {
		t.Errorf("tokens %q", f.tokens)
	}
}

// rotateAPI answers RotateSecret with a version and DescribeSecret with
// AWSPENDING on it until done describes have passed.
type rotateAPI struct {
	API
	describes, done int
}

func (f *rotateAPI) RotateSecret(_ context.Context, in *secretsmanager.RotateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error) {
	return &secretsmanager.RotateSecretOutput{Name: in.SecretId, VersionId: aws.String("new-version")}, nil
}

func (f *rotateAPI) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.describes++
	stages := map[string][]string{"old": {"AWSCURRENT"}, "new-version": {"AWSPENDING"}}
	if f.done > 0 && f.describes >= f.done {
		stages = map[string][]string{"old": {"AWSPREVIOUS"}, "new-version": {"AWSCURRENT"}}
	}
	return &secretsmanager.DescribeSecretOutput{Name: in.SecretId, VersionIdsToStages: stages}, nil
}

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return nil
}

func TestRotateWaits(t *testing.T) {
	f := &rotateAPI{done: 3}
	c := &Client{API: f}
	r, err := c.Rotate(context.Background(), Rotate{ID: "s", Wait: time.Minute, Poll: time.Second, Clock: &fakeClock{now: time.Unix(0, 0)}})
	if err != nil || !r.Done || r.Pending || r.VersionID != "new-version" || f.describes != 3 {
		t.Errorf("finished rotation: %+v %v (%d describes)", r, err, f.describes)
	}
	f = &rotateAPI{}
	c = &Client{API: f}
	r, err = c.Rotate(context.Background(), Rotate{ID: "s", Wait: 5 * time.Second, Poll: time.Second, Clock: &fakeClock{now: time.Unix(0, 0)}})
	if err != nil || r.Done || !r.Pending || f.describes != 6 {
		t.Errorf("unfinished rotation: %+v %v (%d describes)", r, err, f.describes)
	}
}

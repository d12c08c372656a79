package secrets

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// newTestArea is Secrets Manager alone, in memory, on the given clock and
// faults. The SDK signs with the machine's time, so tests that move the
// clock by days call the handlers directly.
func newTestArea(t *testing.T, clock func() time.Time, faults router.Faults) *Area {
	t.Helper()
	sf, err := store.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(&area.Host{Region: "us-east-1", AccountID: "123456789012", Clock: clock, Router: router.New(router.Config{Faults: faults}), Store: sf})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func str(s string) *string { return &s }

func code(err error) string {
	var ae *protocol.APIError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}

const token1 = "00000000-0000-4000-8000-000000000001"

func TestIdempotentTokens(t *testing.T) {
	t.Parallel()
	a := newTestArea(t, time.Now, router.Faults{})
	c, err := a.createSecret(&createSecretInput{Name: str("db"), SecretString: str("v1"), ClientRequestToken: str(token1)})
	if err != nil || c.VersionId != token1 {
		t.Fatalf("create: %+v %v", c, err)
	}
	// The same creation again (a retry): the same answer, nothing new.
	c2, err := a.createSecret(&createSecretInput{Name: str("db"), SecretString: str("v1"), ClientRequestToken: str(token1)})
	if err != nil || c2.ARN != c.ARN {
		t.Fatalf("create retried: %+v %v", c2, err)
	}
	tok := "00000000-0000-4000-8000-000000000002"
	for range 2 {
		p, err := a.putSecretValue(&putSecretValueInput{SecretId: str("db"), SecretString: str("v2"), ClientRequestToken: str(tok)})
		if err != nil || p.VersionId != tok {
			t.Fatalf("put: %+v %v", p, err)
		}
	}
	if n := len(a.st.Secrets[0].Versions); n != 2 {
		t.Errorf("%d versions after a retried put, want 2", n)
	}
	_, err = a.putSecretValue(&putSecretValueInput{SecretId: str("db"), SecretString: str("other"), ClientRequestToken: str(tok)})
	if code(err) != "ResourceExistsException" || strings.Contains(err.Error(), "other") {
		t.Errorf("same token, other value: %v", err)
	}
	// UpdateSecret with a value refuses a token that names a version,
	// even with the same value.
	if _, err := a.updateSecret(&updateSecretInput{SecretId: str("db"), SecretString: str("v2"), ClientRequestToken: str(tok)}); code(err) != "ResourceExistsException" {
		t.Errorf("UpdateSecret with an existing version's token: %v", err)
	}
	tok3 := "00000000-0000-4000-8000-000000000003"
	if u, err := a.updateSecret(&updateSecretInput{SecretId: str("db"), SecretString: str("v3"), ClientRequestToken: str(tok3)}); err != nil || u.VersionId != tok3 {
		t.Errorf("UpdateSecret with a new token: %+v %v", u, err)
	}
}

func TestValueRules(t *testing.T) {
	t.Parallel()
	a := newTestArea(t, time.Now, router.Faults{})
	big := strings.Repeat("s", maxValue+1)
	_, err := a.createSecret(&createSecretInput{Name: str("big"), SecretString: &big})
	if code(err) != "ValidationException" || strings.Contains(err.Error(), "sss") {
		t.Errorf("value over 65536: %v", err)
	}
	ok := strings.Repeat("s", maxValue)
	if _, err := a.createSecret(&createSecretInput{Name: str("max"), SecretString: &ok}); err != nil {
		t.Errorf("value of 65536: %v", err)
	}
	if _, err := a.createSecret(&createSecretInput{Name: str("bad name!"), SecretString: str("v")}); code(err) != "InvalidParameterException" {
		t.Errorf("bad name: %v", err)
	}
	if _, err := a.createSecret(&createSecretInput{Name: str("both"), SecretString: str("v"), SecretBinary: []byte{1}}); code(err) != "InvalidParameterException" {
		t.Errorf("both values: %v", err)
	}
	if _, err := a.createSecret(&createSecretInput{Name: str("max"), SecretString: str("v")}); code(err) != "ResourceExistsException" {
		t.Errorf("existing name: %v", err)
	}
}

func TestStagesMove(t *testing.T) {
	t.Parallel()
	a := newTestArea(t, time.Now, router.Faults{})
	c, _ := a.createSecret(&createSecretInput{Name: str("s"), SecretString: str("1")})
	p2, _ := a.putSecretValue(&putSecretValueInput{SecretId: str("s"), SecretString: str("2")})
	p3, _ := a.putSecretValue(&putSecretValueInput{SecretId: str("s"), SecretString: str("3")})
	d, _ := a.describeSecret(&secretIDInput{SecretId: str("s")})
	want := map[string][]string{p3.VersionId: {"AWSCURRENT"}, p2.VersionId: {"AWSPREVIOUS"}}
	if len(d.VersionIdsToStages) != 2 || !slices.Equal(d.VersionIdsToStages[p3.VersionId], want[p3.VersionId]) || !slices.Equal(d.VersionIdsToStages[p2.VersionId], want[p2.VersionId]) {
		t.Errorf("stages after two puts: %v", d.VersionIdsToStages)
	}
	// Moving AWSCURRENT back needs RemoveFromVersionId, and moves
	// AWSPREVIOUS along.
	_, err := a.updateSecretVersionStage(&updateSecretVersionStageInput{SecretId: str("s"), VersionStage: str("AWSCURRENT"), MoveToVersionId: &c.VersionId})
	if code(err) != "InvalidParameterException" {
		t.Errorf("move without RemoveFromVersionId: %v", err)
	}
	if _, err := a.updateSecretVersionStage(&updateSecretVersionStageInput{SecretId: str("s"), VersionStage: str("AWSCURRENT"), MoveToVersionId: &c.VersionId, RemoveFromVersionId: &p3.VersionId}); err != nil {
		t.Fatal(err)
	}
	d, _ = a.describeSecret(&secretIDInput{SecretId: str("s")})
	if !slices.Equal(d.VersionIdsToStages[c.VersionId], []string{"AWSCURRENT"}) || !slices.Equal(d.VersionIdsToStages[p3.VersionId], []string{"AWSPREVIOUS"}) || d.VersionIdsToStages[p2.VersionId] != nil {
		t.Errorf("after moving AWSCURRENT: %v", d.VersionIdsToStages)
	}
	v, err := a.getSecretValue(&getSecretValueInput{SecretId: str("s")})
	if err != nil || *v.SecretString != "1" {
		t.Errorf("AWSCURRENT value: %v %v", v, err)
	}
	if _, err := a.getSecretValue(&getSecretValueInput{SecretId: str("s"), VersionStage: str("AWSPENDING")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("a stage nobody has: %v", err)
	}
}

func TestVersionCap(t *testing.T) {
	t.Parallel()
	base := time.Now()
	var offset atomic.Int64
	a := newTestArea(t, func() time.Time { return base.Add(time.Duration(offset.Load())) }, router.Faults{})
	a.createSecret(&createSecretInput{Name: str("s"), SecretString: str("0")})
	for i := 1; i < maxVersions; i++ {
		if _, err := a.putSecretValue(&putSecretValueInput{SecretId: str("s"), SecretString: str("v")}); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	// 100 versions, all younger than a day: the quota.
	if _, err := a.putSecretValue(&putSecretValueInput{SecretId: str("s"), SecretString: str("v")}); code(err) != "LimitExceededException" {
		t.Fatalf("version 101 within a day: %v", err)
	}
	// A day later the unlabelled ones beyond 100 go, oldest first.
	offset.Store(int64(25 * time.Hour))
	for range 3 {
		if _, err := a.putSecretValue(&putSecretValueInput{SecretId: str("s"), SecretString: str("v")}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.st.Secrets[0].Versions); n != maxVersions {
		t.Errorf("%d versions, want %d", n, maxVersions)
	}
}

func TestDeletionWindow(t *testing.T) {
	t.Parallel()
	base := time.Now()
	var offset atomic.Int64
	a := newTestArea(t, func() time.Time { return base.Add(time.Duration(offset.Load())) }, router.Faults{})
	a.createSecret(&createSecretInput{Name: str("s"), SecretString: str("v")})
	for _, days := range []int64{6, 31} {
		if _, err := a.deleteSecret(&deleteSecretInput{SecretId: str("s"), RecoveryWindowInDays: &days}); code(err) != "InvalidParameterException" {
			t.Errorf("window %d: %v", days, err)
		}
	}
	seven := int64(7)
	d, err := a.deleteSecret(&deleteSecretInput{SecretId: str("s"), RecoveryWindowInDays: &seven})
	if err != nil || !time.Time(*d.DeletionDate).Equal(base.Add(7*24*time.Hour)) {
		t.Fatalf("delete: %+v %v", d, err)
	}
	if _, err := a.getSecretValue(&getSecretValueInput{SecretId: str("s")}); code(err) != "InvalidRequestException" {
		t.Errorf("get while scheduled for deletion: %v", err)
	}
	if _, err := a.createSecret(&createSecretInput{Name: str("s"), SecretString: str("v")}); code(err) != "InvalidRequestException" {
		t.Errorf("create over a scheduled deletion: %v", err)
	}
	if ds, err := a.describeSecret(&secretIDInput{SecretId: str("s")}); err != nil || ds.DeletedDate == nil {
		t.Errorf("describe while scheduled: %+v %v", ds, err)
	}
	if _, err := a.restoreSecret(&secretIDInput{SecretId: str("s")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.getSecretValue(&getSecretValueInput{SecretId: str("s")}); err != nil {
		t.Errorf("get after restore: %v", err)
	}
	a.deleteSecret(&deleteSecretInput{SecretId: str("s"), RecoveryWindowInDays: &seven})
	offset.Store(int64(7*24*time.Hour + time.Second))
	if _, err := a.describeSecret(&secretIDInput{SecretId: str("s")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("describe after the window: %v", err)
	}
	if _, err := a.createSecret(&createSecretInput{Name: str("s"), SecretString: str("v")}); err != nil {
		t.Errorf("create after the window: %v", err)
	}
	force := true
	if _, err := a.deleteSecret(&deleteSecretInput{SecretId: str("s"), ForceDeleteWithoutRecovery: &force}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.deleteSecret(&deleteSecretInput{SecretId: str("s"), ForceDeleteWithoutRecovery: &force}); err != nil {
		t.Errorf("force-delete of a secret that is gone: %v", err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	a := newTestArea(t, time.Now, router.Faults{})
	a.createSecret(&createSecretInput{Name: str("db"), SecretString: str(`{"username":"u","password":"old"}`)})
	if _, err := a.rotateSecret(&rotateSecretInput{SecretId: str("db")}); code(err) != "InvalidRequestException" {
		t.Errorf("rotation without a Lambda: %v", err)
	}
	lambda := str("arn:aws:lambda:us-east-1:123456789012:function:rot")
	r, err := a.rotateSecret(&rotateSecretInput{SecretId: str("db"), RotationLambdaARN: lambda, RotationRules: &rotationRulesWire{ScheduleExpression: str("rate(30 days)")}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := a.getSecretValue(&getSecretValueInput{SecretId: str("db")})
	if v.VersionId != r.VersionId || !strings.Contains(*v.SecretString, `"username":"u"`) || strings.Contains(*v.SecretString, `"old"`) {
		t.Errorf("after rotation: %s %s", v.VersionId, *v.SecretString)
	}
	d, _ := a.describeSecret(&secretIDInput{SecretId: str("db")})
	if d.RotationEnabled == nil || !*d.RotationEnabled || d.LastRotatedDate == nil || d.NextRotationDate == nil || *d.RotationRules.AutomaticallyAfterDays != 30 {
		t.Errorf("describe after rotation: %+v", d)
	}
	prev, _ := a.getSecretValue(&getSecretValueInput{SecretId: str("db"), VersionStage: str("AWSPREVIOUS")})
	if !strings.Contains(*prev.SecretString, `"old"`) {
		t.Errorf("AWSPREVIOUS: %s", *prev.SecretString)
	}
}

func TestRotationFails(t *testing.T) {
	t.Parallel()
	a := newTestArea(t, time.Now, router.Faults{RotationFail: 1})
	c, _ := a.createSecret(&createSecretInput{Name: str("s"), SecretString: str("plain")})
	r, err := a.rotateSecret(&rotateSecretInput{SecretId: str("s"), RotationLambdaARN: str("arn:aws:lambda:us-east-1:123456789012:function:rot")})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := a.describeSecret(&secretIDInput{SecretId: str("s")})
	if !slices.Equal(d.VersionIdsToStages[r.VersionId], []string{"AWSPENDING"}) || !slices.Equal(d.VersionIdsToStages[c.VersionId], []string{"AWSCURRENT"}) {
		t.Errorf("a failed rotation's stages: %v", d.VersionIdsToStages)
	}
	if _, err := a.rotateSecret(&rotateSecretInput{SecretId: str("s")}); code(err) != "InvalidRequestException" || !strings.Contains(err.Error(), "previous rotation isn't complete") {
		t.Errorf("rotating again: %v", err)
	}
}

func TestScheduleRules(t *testing.T) {
	t.Parallel()
	days := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		rules rotationRulesWire
		code  string
	}{
		{rotationRulesWire{AutomaticallyAfterDays: days(1)}, ""},
		{rotationRulesWire{AutomaticallyAfterDays: days(1000)}, ""},
		{rotationRulesWire{AutomaticallyAfterDays: days(0)}, "ValidationException"},
		{rotationRulesWire{AutomaticallyAfterDays: days(1001)}, "ValidationException"},
		{rotationRulesWire{AutomaticallyAfterDays: days(3), ScheduleExpression: str("rate(3 days)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("rate(4 hours)")}, ""},
		{rotationRulesWire{ScheduleExpression: str("rate(3 hours)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("rate(4 hours)"), Duration: str("5h")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("rate(10 days)"), Duration: str("3h")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 16 1,15 * ? *)"), Duration: str("2h")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 23 ? * SUN *)"), Duration: str("2h")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 16 * *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("every day")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("rate(1 day)"), Duration: str("3d")}, "ValidationException"},
		{rotationRulesWire{ScheduleExpression: str("rate(999 days)")}, ""},
		{rotationRulesWire{ScheduleExpression: str("rate(1000 days)")}, "InvalidParameterException"},
		// The user guide's cron rules: minutes 0, year *, one ? of the
		// two day fields, at most every four hours, a window that stays
		// in its day and before the next window.
		{rotationRulesWire{ScheduleExpression: str("cron(0 4/12 * * ? *)"), Duration: str("4h")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 4/12 * * ? *)"), Duration: str("13h")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 */2 * * ? *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 0,22 * * ? *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(30 4 * * ? *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 4 * * ? 2027)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 4 1 * MON *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 24 * * ? *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 4 30 2 ? *)")}, "InvalidParameterException"},
		{rotationRulesWire{ScheduleExpression: str("cron(0 0 ? * SUN#1 *)")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 16 L * ? *)")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 8 ? * MON-FRI *)"), Duration: str("16h")}, ""},
		{rotationRulesWire{ScheduleExpression: str("cron(0 8 ? * MON-FRI *)"), Duration: str("17h")}, "InvalidParameterException"},
	} {
		err := checkRules(&tc.rules)
		if code(err) != tc.code {
			t.Errorf("%+v: %v, want %q", tc.rules, err, tc.code)
		}
	}
}

// NextRotationDate for cron(): the schedule's first window after the last
// rotation, in UTC.
func TestCronNext(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// 2026-12-05 is a Saturday.
	from := at("2026-12-05T16:30:00Z")
	for _, tc := range []struct{ expr, want string }{
		{"cron(0 4 ? * SUN *)", "2026-12-06T04:00:00Z"},
		{"cron(0 4/12 * * ? *)", "2026-12-06T04:00:00Z"},
		{"cron(0 17 * * ? *)", "2026-12-05T17:00:00Z"},
		{"cron(0 16 1,15 * ? *)", "2026-12-15T16:00:00Z"},
		{"cron(0 16 L * ? *)", "2026-12-31T16:00:00Z"},
		{"cron(0 0 ? * SUN#1 *)", "2026-12-06T00:00:00Z"},
		{"cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)", "2027-02-09T10:00:00Z"},
		{"cron(0 9 ? * 6L *)", "2026-12-25T09:00:00Z"},
		{"cron(0 0 29 2 ? *)", "2028-02-29T00:00:00Z"},
	} {
		r := rotation{Schedule: tc.expr, LastRotated: &from}
		got, ok := r.next(time.Time{})
		if !ok || !got.Equal(at(tc.want)) {
			t.Errorf("%s after %s: %s %v, want %s", tc.expr, from.Format(time.RFC3339), got.Format(time.RFC3339), ok, tc.want)
		}
	}
	a := newTestArea(t, func() time.Time { return from }, router.Faults{})
	a.createSecret(&createSecretInput{Name: str("db"), SecretString: str("v")})
	if _, err := a.rotateSecret(&rotateSecretInput{SecretId: str("db"), RotationLambdaARN: str("arn:aws:lambda:us-east-1:123456789012:function:rot"),
		RotationRules: &rotationRulesWire{ScheduleExpression: str("cron(0 4 ? * SUN *)")}}); err != nil {
		t.Fatal(err)
	}
	d, _ := a.describeSecret(&secretIDInput{SecretId: str("db")})
	if d.NextRotationDate == nil || !time.Time(*d.NextRotationDate).Equal(at("2026-12-06T04:00:00Z")) {
		t.Errorf("DescribeSecret's NextRotationDate for a cron(): %v", d.NextRotationDate)
	}
}

func TestRandomPassword(t *testing.T) {
	t.Parallel()
	a := newTestArea(t, time.Now, router.Faults{})
	n := int64(40)
	yes := true
	p, err := a.getRandomPassword(&getRandomPasswordInput{PasswordLength: &n, ExcludePunctuation: &yes, ExcludeCharacters: str("abc")})
	if err != nil || len(p.RandomPassword) != 40 || strings.ContainsAny(p.RandomPassword, "abc!#%") {
		t.Errorf("password: %q %v", p.RandomPassword, err)
	}
	p, _ = a.getRandomPassword(&getRandomPasswordInput{})
	if len(p.RandomPassword) != 32 || !strings.ContainsAny(p.RandomPassword, digits) || !strings.ContainsAny(p.RandomPassword, punctuation) {
		t.Errorf("default password: %q", p.RandomPassword)
	}
}

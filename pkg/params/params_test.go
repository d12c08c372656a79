package params

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestValidateName(t *testing.T) {
	deep := "/" + strings.Repeat("a/", 15) + "b"
	for _, tc := range []struct {
		name  string
		read  bool // valid to read
		write bool // valid to write
	}{
		{"plain", true, true},
		{"/app/prod/db-url_1.v2", true, true},
		{"/" + strings.Repeat("a/", 14) + "b", true, true}, // 15 levels
		{deep, false, false},                               // 16 levels
		{"app/prod", false, false},                         // levels need a leading slash
		{"/app/", false, false},
		{"/app//x", false, false},
		{"/app/has space", false, false},
		{"/app/ü", false, false},
		{"", false, false},
		{strings.Repeat("a", MaxNameLength), true, true},
		{strings.Repeat("a", MaxNameLength+1), false, false},
		{"/aws/service/ami", true, false},
		{"/AWSconfig", true, false},
		{"ssm-thing", true, false},
		{"/SsM/x", true, false},
		{"/app/aws", true, true},
	} {
		if err := ValidateName(tc.name); (err == nil) != tc.read {
			t.Errorf("ValidateName(%q) = %v, want valid=%v", tc.name, err, tc.read)
		} else if err != nil && exitcode.Code(err) != exitcode.Usage {
			t.Errorf("ValidateName(%q): code %d, want 252", tc.name, exitcode.Code(err))
		}
		if err := ValidateWriteName(tc.name); (err == nil) != tc.write {
			t.Errorf("ValidateWriteName(%q) = %v, want valid=%v", tc.name, err, tc.write)
		}
	}
}

func TestParseSelector(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Selector
		err  bool
	}{
		{"/a/b", Selector{Name: "/a/b"}, false},
		{"/a/b:3", Selector{Name: "/a/b", Version: 3}, false},
		{"/a/b:prod", Selector{Name: "/a/b", Label: "prod"}, false},
		{"/a/b:", Selector{}, true},
		{"/a/b:0", Selector{}, true},
		{"/a/b:3x", Selector{}, true},
		{"/a/b:awsLabel", Selector{}, true},
		{"/a b:1", Selector{}, true},
	} {
		got, err := ParseSelector(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseSelector(%q) = %+v, %v; want %+v, err=%v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("ParseSelector(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestValidateLabel(t *testing.T) {
	for l, ok := range map[string]bool{
		"prod": true, "release-1.2_x": true, "P": true,
		"": false, "1st": false, "awsx": false, "SSMx": false, "has space": false, "a/b": false, "a:b": false,
		strings.Repeat("a", 100): true, strings.Repeat("a", 101): false,
	} {
		if err := ValidateLabel(l); (err == nil) != ok {
			t.Errorf("ValidateLabel(%q) = %v, want valid=%v", l, err, ok)
		}
	}
}

func TestPutValidate(t *testing.T) {
	big := strings.Repeat("x", StandardValueLimit+1)
	for _, tc := range []struct {
		name string
		put  Put
		ok   bool
	}{
		{"minimal", Put{Name: "/a", Value: "v"}, true},
		{"type any case", Put{Name: "/a", Value: "v", Type: "securestring"}, true},
		{"bad type", Put{Name: "/a", Value: "v", Type: "Secret"}, false},
		{"bad tier", Put{Name: "/a", Value: "v", Tier: "Premium"}, false},
		{"bad data type", Put{Name: "/a", Value: "v", DataType: "json"}, false},
		{"data type", Put{Name: "/a", Value: "ami-1", DataType: "aws:ec2:image"}, true},
		{"empty value", Put{Name: "/a", Value: ""}, false},
		{"4 KB standard", Put{Name: "/a", Value: big[:StandardValueLimit]}, true},
		{"over 4 KB standard", Put{Name: "/a", Value: big}, false},
		{"over 4 KB advanced", Put{Name: "/a", Value: big, Tier: "Advanced"}, true},
		{"over 4 KB intelligent", Put{Name: "/a", Value: big, Tier: "Intelligent-Tiering"}, true},
		{"over 8 KB advanced", Put{Name: "/a", Value: strings.Repeat("x", AdvancedValueLimit+1), Tier: "Advanced"}, false},
		{"multibyte counts bytes", Put{Name: "/a", Value: strings.Repeat("é", StandardValueLimit/2+1)}, false},
		{"reserved", Put{Name: "/aws/x", Value: "v"}, false},
		{"policies on standard", Put{Name: "/a", Value: "v", Tier: "Standard", Policies: "[]"}, false},
		{"key on String", Put{Name: "/a", Value: "v", Type: "String", KeyID: "alias/k"}, false},
		{"key pattern", Put{Name: "/a", Value: "v", Type: "SecureString", KeyID: "alias/my key"}, false},
		{"tags with overwrite", Put{Name: "/a", Value: "v", Overwrite: true, Tags: map[string]string{"a": "b"}}, false},
		{"long description", Put{Name: "/a", Value: "v", Description: strings.Repeat("d", 1025)}, false},
	} {
		p := tc.put
		err := p.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && exitcode.Code(err) != exitcode.Usage {
			t.Errorf("%s: code %d, want 252", tc.name, exitcode.Code(err))
		}
	}
}

func TestParsePolicies(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	got, err := ParsePolicies([]string{"expire=2027-01-01", "notify-before=15d", "no-change=12h"}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2027-01-01T00:00:00.000Z"}},` +
		`{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}},` +
		`{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"12","Unit":"Hours"}}]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	js := `{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"30","Unit":"Days"}}`
	if got, err := ParsePolicies([]string{js}, now); err != nil || got != "["+js+"]" {
		t.Errorf("JSON object: %s, %v", got, err)
	}
	if got, _ := ParsePolicies(nil, now); got != "" {
		t.Errorf("no policies: %q", got)
	}
	for _, bad := range [][]string{
		{"expire=2020-01-01"},            // past
		{"expire=tomorrow"},              // not a date
		{"notify-before=15d"},            // notification without expiration
		{"no-change=0d"},                 // zero
		{"no-change=3w"},                 // unit
		{"retain=3d"},                    // unknown
		{"no-change=1d", "no-change=2d"}, // twice
		{`{"Type":"Rotate","Version":"1.0","Attributes":{}}`},
		{`{"Type":"Expiration","Version":"2.0","Attributes":{"Timestamp":"2027-01-01T00:00:00Z"}}`},
		{`[{"Type":"Expiration"`},
	} {
		if _, err := ParsePolicies(bad, now); err == nil || exitcode.Code(err) != exitcode.Usage {
			t.Errorf("ParsePolicies(%q) = %v, want a usage error", bad, err)
		}
	}
}

func TestGetBatchesOfTenKeepsOrderAndReportsMissing(t *testing.T) {
	f := newFake()
	var names []string
	for i := range 23 {
		n := fmt.Sprintf("/p/%02d", i)
		f.seed(n, "String", "v"+n)
		names = append(names, n)
	}
	f.seed("/p/00", "String", "second")
	f.mu.Lock()
	f.params["/p/00"][0].labels = []string{"old"}
	f.mu.Unlock()
	c, _ := newTestClient(f)
	ask := append([]string{"/p/missing", "/p/00:old", "/p/00:2"}, names...)
	found, missing, err := c.Get(context.Background(), ask, false)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range f.batches["GetParameters"] {
		sizes = append(sizes, len(b))
	}
	if !reflect.DeepEqual(sizes, []int{10, 10, 6}) {
		t.Errorf("batch sizes %v, want [10 10 6]", sizes)
	}
	if !reflect.DeepEqual(missing, []string{"/p/missing"}) {
		t.Errorf("missing %v", missing)
	}
	if len(found) != 25 || found[0].Selector != "/p/00:old" || found[0].Value != "v/p/00" || found[1].Value != "second" || found[2].Name != "/p/00" {
		t.Errorf("found %+v", found[:3])
	}
	if _, _, err := c.Get(context.Background(), []string{"bad name"}, false); exitcode.Code(err) != exitcode.Usage || f.calls["GetParameters"] != 3 {
		t.Errorf("bad name: %v after %d calls", err, f.calls["GetParameters"])
	}
}

// Get matches what comes back to what was asked by name, so an answer
// without the optional Selector field (LocalStack) is still found, even
// when one name is asked with several selectors at once.
func TestGetWithoutSelectorInTheAnswer(t *testing.T) {
	for _, noSelector := range []bool{false, true} {
		f := newFake()
		f.noSelector = noSelector
		f.seed("/app/host", "String", "one")
		f.seed("/app/host", "String", "two")
		f.seed("/app/port", "String", "5432")
		f.mu.Lock()
		f.params["/app/host"][0].labels = []string{"stable"}
		f.mu.Unlock()
		c, _ := newTestClient(f)
		ask := []string{"/app/host:stable", "/app/host:1", "/app/host", "/app/host:2", "/app/port", "/app/host:nope", "/app/host:stable"}
		found, missing, err := c.Get(context.Background(), ask, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range found {
			got = append(got, p.Selector+"="+p.Value)
		}
		want := []string{"/app/host:stable=one", "/app/host:1=one", "/app/host=two", "/app/host:2=two", "/app/port=5432", "/app/host:stable=one"}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(missing, []string{"/app/host:nope"}) {
			t.Errorf("noSelector=%v: found %q, missing %q; want %q, [/app/host:nope]", noSelector, got, missing, want)
		}
		for _, b := range f.batches["GetParameters"] {
			seen := map[string]bool{}
			for _, s := range b {
				name, _, _ := strings.Cut(s, ":")
				if seen[name] {
					t.Errorf("batch %q asks for %s twice", b, name)
				}
				seen[name] = true
			}
		}
	}
}

func TestSelectorBatches(t *testing.T) {
	var sels []string
	names := map[string]string{}
	for i := range 25 {
		s := fmt.Sprintf("/p/%02d", i)
		sels = append(sels, s)
		names[s] = s
	}
	for _, s := range []string{"/p/00:1", "/p/00:2"} {
		sels = append(sels, s)
		names[s] = "/p/00"
	}
	var sizes []int
	for _, b := range selectorBatches(sels, names) {
		sizes = append(sizes, len(b))
	}
	// /p/00:1 joins the third batch, which has room; /p/00:2 cannot join
	// the first (full) nor the third (it holds /p/00:1): a fourth.
	if !reflect.DeepEqual(sizes, []int{10, 10, 6, 1}) {
		t.Errorf("sizes %v", sizes)
	}
}

func TestByPathFollowsShortPages(t *testing.T) {
	for _, page := range []int{1, 3, 10} {
		f := newFake()
		f.pageSize = page
		for i := range 37 {
			f.seed(fmt.Sprintf("/app/%c/k%02d", 'a'+i%3, i), "String", "v")
		}
		f.seed("/other/x", "String", "v")
		c, _ := newTestClient(f)
		got, err := c.ByPath(context.Background(), "/app/", true, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 37 {
			t.Errorf("page size %d: %d parameters, want 37", page, len(got))
		}
		want := (37 + page - 1) / page
		if f.calls["GetParametersByPath"] != want {
			t.Errorf("page size %d: %d calls, want %d", page, f.calls["GetParametersByPath"], want)
		}
		one, err := c.ByPath(context.Background(), "/app/a", false, false)
		if err != nil || len(one) != 13 {
			t.Errorf("one level: %d, %v", len(one), err)
		}
		md, err := c.Describe(context.Background(), "/app", true)
		if err != nil || len(md) != 37 {
			t.Errorf("describe: %d, %v", len(md), err)
		}
	}
}

func TestHistoryAndLabels(t *testing.T) {
	f := newFake()
	f.pageSize = 2
	for i := range 5 {
		f.seed("/a", "String", fmt.Sprint(i))
	}
	c, _ := newTestClient(f)
	v, invalid, err := c.Label(context.Background(), "/a", 2, []string{"stable", "prev"})
	if err != nil || v != 2 || len(invalid) != 0 {
		t.Fatalf("label: %d %v %v", v, invalid, err)
	}
	md := []Metadata{{Name: "/a"}}
	if err := c.Labels(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(md[0].Labels, map[string]int64{"stable": 2, "prev": 2}) {
		t.Errorf("labels %v", md[0].Labels)
	}
	removed, invalid, err := c.Unlabel(context.Background(), "/a", 2, []string{"prev", "nope"})
	if err != nil || !reflect.DeepEqual(removed, []string{"prev"}) || !reflect.DeepEqual(invalid, []string{"nope"}) {
		t.Errorf("unlabel: %v %v %v", removed, invalid, err)
	}
	if _, _, err := c.Label(context.Background(), "/a", 0, []string{"9lives"}); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("bad label: %v", err)
	}
	if _, _, err := c.Unlabel(context.Background(), "/a", 0, []string{"x"}); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("unlabel without version: %v", err)
	}
}

func TestLimiterIgnoresNoiseWhileUnlimited(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(clk)
	ctx := context.Background()
	for i := range 1000 {
		sent, _ := l.Wait(ctx)
		clk.Advance(time.Millisecond)
		if i%10 < 3 { // 30% throttled, at random as far as the limiter knows
			l.Throttled(sent)
		} else {
			l.Succeeded()
		}
	}
	if r := l.Rate(); r != 0 {
		t.Errorf("rate %v after random throttling, want 0 (unlimited)", r)
	}
	if l.Throttles() != 300 {
		t.Errorf("throttles %d", l.Throttles())
	}
}

// quotaServer answers like a token bucket of q per second with a burst of q.
type quotaServer struct {
	q      float64
	tokens float64
	last   time.Time
}

func (s *quotaServer) allow(now time.Time) bool {
	if !s.last.IsZero() {
		s.tokens = min(s.q, s.tokens+now.Sub(s.last).Seconds()*s.q)
	} else {
		s.tokens = s.q
	}
	s.last = now
	if s.tokens >= 1 {
		s.tokens--
		return true
	}
	return false
}

func TestLimiterFindsQuota(t *testing.T) {
	for _, q := range []float64{3, 20, 40} {
		clk := newFakeClock()
		l := NewLimiter(clk)
		srv := &quotaServer{q: q}
		ctx := context.Background()
		ok, sent := 0, 0
		start := clk.Now()
		calls := int(q * 60) // a minute's worth at the quota
		// Eight callers in lock step: each round, each sends once.
		for ok < calls {
			for range 8 {
				at, _ := l.Wait(ctx)
				sent++
				if srv.allow(at) {
					ok++
					l.Succeeded()
				} else {
					l.Throttled(at)
				}
			}
			clk.Advance(time.Millisecond)
		}
		took := clk.Now().Sub(start).Seconds()
		ideal := (float64(calls) - q) / q
		if took > 1.2*ideal {
			t.Errorf("quota %v: %d calls took %.1fs, more than 1.2x the ideal %.1fs", q, calls, took, ideal)
		}
		// The start costs up to a few dozen throttles (finding the quota
		// takes 30 answers); after that, at most one call in ten.
		if wasted := sent - ok; wasted > calls/10+3*minSample {
			t.Errorf("quota %v: %d throttled calls for %d successes", q, wasted, calls)
		}
		if r := l.Rate(); r < q/2 || r > 2*q {
			t.Errorf("quota %v: rate %.1f", q, r)
		}
		t.Logf("quota %v: %d calls took %.1fs (ideal %.1fs), %d throttled, final rate %.1f", q, calls, took, ideal, sent-ok, l.Rate())
	}
}

func TestLimiterSpacesRequests(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(clk)
	l.rate = 10
	ctx := context.Background()
	first, _ := l.Wait(ctx)
	second, _ := l.Wait(ctx)
	third, _ := l.Wait(ctx)
	if second.Sub(first) != 100*time.Millisecond || third.Sub(second) != 100*time.Millisecond {
		t.Errorf("spacing %v, %v; want 100ms", second.Sub(first), third.Sub(second))
	}
	// A throttle of a request sent before the last cut does not cut again.
	l.lastCut = clk.Now()
	l.Throttled(first.Add(-time.Second))
	if l.Rate() != 10 {
		t.Errorf("rate %v after a stale throttle", l.Rate())
	}
	// A fresh one, with no quota evident, multiplies by Beta.
	clk.Advance(2 * time.Second)
	at, _ := l.Wait(ctx)
	l.Throttled(at)
	if l.Rate() != 9 {
		t.Errorf("rate %v after a throttle, want 9", l.Rate())
	}
	// ... at most once per CutInterval.
	at, _ = l.Wait(ctx)
	l.Throttled(at)
	if l.Rate() != 9 {
		t.Errorf("rate %v after a second throttle within the interval", l.Rate())
	}
	l.Succeeded()
	if l.Rate() != 9.05 {
		t.Errorf("rate %v after a success, want 9.05", l.Rate())
	}
}

func TestWriteAllUnderThrottlingWritesEachOnce(t *testing.T) {
	f := newFake()
	n := 0
	f.putFault = func(call int, name string) (error, bool) {
		n++
		switch {
		case n%10 < 3:
			return throttle(), false // 30% throttled
		case n%37 == 0:
			return serverError(), true // applied, but the answer is lost
		case n%41 == 0:
			return serverError(), false
		}
		return nil, false
	}
	c, _ := newTestClient(f)
	var puts []Put
	for i := range 500 {
		puts = append(puts, Put{Name: fmt.Sprintf("/bulk/k%03d", i), Value: fmt.Sprintf("v=%d", i), Type: "String"})
	}
	var st Stats
	results := c.WriteAll(context.Background(), puts, &st, nil)
	verified := 0
	for i, r := range results {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Name, r.Err)
		}
		if r.Name != puts[i].Name || r.Version != 1 {
			t.Errorf("result %d: %+v", i, r)
		}
		if r.Verified {
			verified++
		}
	}
	for _, p := range puts {
		vs := f.params[p.Name]
		if len(vs) != 1 || vs[0].value != p.Value {
			t.Errorf("%s: %d versions", p.Name, len(vs))
		}
	}
	if verified == 0 {
		t.Error("no create was verified after a lost answer; the fault hook did not bite")
	}
	if st.Throttled.Load() < 100 {
		t.Errorf("only %d throttles", st.Throttled.Load())
	}
}

func TestWriteAllRefusesToClobber(t *testing.T) {
	f := newFake()
	f.seed("/x/a", "String", "theirs")
	f.seed("/x/b", "String", "same")
	c, _ := newTestClient(f)
	res := c.WriteAll(context.Background(), []Put{{Name: "/x/a", Value: "ours", Type: "String"}, {Name: "/x/b", Value: "same", Type: "String"}}, nil, nil)
	if res[0].Err == nil || exitcode.Code(res[0].Err) != exitcode.AWS || !strings.Contains(res[0].Err.Error(), "different value") {
		t.Errorf("clobber: %v", res[0].Err)
	}
	if res[1].Err != nil || !res[1].Verified {
		t.Errorf("same value: %+v", res[1])
	}
	if len(f.params["/x/a"]) != 1 || f.params["/x/a"][0].value != "theirs" {
		t.Error("the existing value changed")
	}
}

func TestWriteAllGivesUpOnOtherErrors(t *testing.T) {
	f := newFake()
	f.putFault = func(int, string) (error, bool) { return apiErr("AccessDeniedException", "no"), false }
	c, _ := newTestClient(f)
	res := c.WriteAll(context.Background(), []Put{{Name: "/a", Value: "v", Type: "String"}}, nil, nil)
	var api interface{ ErrorCode() string }
	if !errors.As(res[0].Err, &api) || api.ErrorCode() != "AccessDeniedException" || f.putCalls != 1 {
		t.Errorf("%v after %d calls", res[0].Err, f.putCalls)
	}
}

func TestDeleteBatchesAndRetries(t *testing.T) {
	f := newFake()
	var names []string
	for i := range 25 {
		n := fmt.Sprintf("/d/%02d", i)
		f.seed(n, "String", "v")
		names = append(names, n)
	}
	c, _ := newTestClient(f)
	deleted, missing, err := c.Delete(context.Background(), append(names, "/d/none"), nil, nil)
	if err != nil || len(deleted) != 25 || !reflect.DeepEqual(missing, []string{"/d/none"}) {
		t.Errorf("%d deleted, missing %v, %v", len(deleted), missing, err)
	}
	var sizes []int
	for _, b := range f.batches["DeleteParameters"] {
		sizes = append(sizes, len(b))
	}
	if !reflect.DeepEqual(sizes, []int{10, 10, 6}) {
		t.Errorf("batches %v", sizes)
	}
}

func TestPlanImport(t *testing.T) {
	f := newFake()
	f.seed("/app/same", "String", "1")
	f.seed("/app/changed", "String", "old")
	f.seed("/app/secret", "SecureString", "s")
	c, _ := newTestClient(f)
	items, err := c.PlanImport(context.Background(), []Entry{
		{"same", "1"}, {"changed", "new"}, {"new/key", "x"}, {"secret", "s"},
	}, ImportOptions{Prefix: "/app/"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, it := range items {
		got[it.Name] = it.Action
	}
	want := map[string]Action{"/app/same": Unchanged, "/app/changed": Update, "/app/new/key": Create, "/app/secret": Unchanged}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan %v, want %v", got, want)
	}
	if items[2].Put.Type != "String" || items[2].Put.Overwrite || !items[1].Put.Overwrite {
		t.Errorf("puts: %+v", items)
	}
	// --type makes a same-valued parameter of another type an update.
	items, _ = c.PlanImport(context.Background(), []Entry{{"same", "1"}}, ImportOptions{Prefix: "/app", Type: "SecureString"})
	if items[0].Action != Update {
		t.Errorf("type change: %v", items[0].Action)
	}
	if _, err := c.PlanImport(context.Background(), []Entry{{"a b", "1"}}, ImportOptions{Prefix: "/app"}); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("bad key: %v", err)
	}
	res := c.Apply(context.Background(), items, nil, nil)
	if res[0].Err != nil || f.latest("/app/same").typ != "SecureString" {
		t.Errorf("apply: %+v", res)
	}
}

func TestEnvName(t *testing.T) {
	for in, want := range map[string]string{
		"db/url": "DB_URL", "api-key.v2": "API_KEY_V2", "Already_UP": "ALREADY_UP", "1st": "_1ST", "/lead/": "LEAD",
	} {
		if got := EnvName(in); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", in, got, want)
		}
	}
	keyed, coll := MapKeys("dotenv", []Entry{{"db-url", "a"}, {"db/url", "b"}, {"x", "c"}})
	if !reflect.DeepEqual(keyed, []Entry{{"DB_URL", "b"}, {"X", "c"}}) || len(coll) != 1 || coll[0].Kept != "db/url" {
		t.Errorf("MapKeys: %v %v", keyed, coll)
	}
	if k := KeyFor("tfvars", "db/url"); k != "db_url" {
		t.Errorf("tfvars key %q", k)
	}
}

func TestFormatsRoundTrip(t *testing.T) {
	values := []string{
		"plain", "with = sign", `double "quotes"`, "single 'quotes'", "  leading and trailing  ",
		"line one\nline two\n", "crlf\r\nend", "tab\there", "unicode: héllo 世界 🚀", `back\slash \n literal`,
		"$HOME and ${VAR} and %{x}", "#not a comment", "'", `"`, "=", "ends with backslash\\",
	}
	for _, format := range Formats {
		var entries []Entry
		for i, v := range values {
			entries = append(entries, Entry{Key: KeyFor(format, fmt.Sprintf("key/n%02d", i)), Value: v})
		}
		data, err := Encode(format, entries)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		got, err := Decode(format, data)
		if err != nil {
			t.Fatalf("%s: decode: %v\n%s", format, err, data)
		}
		if !reflect.DeepEqual(got, entries) {
			t.Errorf("%s: round trip differs\nwrote %q\nread  %q\nfile:\n%s", format, entries, got, data)
		}
	}
}

func TestDecodeHandWritten(t *testing.T) {
	got, err := Decode("dotenv", []byte("# comment\n\nexport A=1\nB = two words # note\nC=\"multi\nline\"\nD='x' # c\n"))
	want := []Entry{{"A", "1"}, {"B", "two words"}, {"C", "multi\nline"}, {"D", "x"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("dotenv: %q, %v", got, err)
	}
	got, err = Decode("yaml", []byte("db:\n  url: x\n  port: 5432\nlist: [a, b]\n"))
	want = []Entry{{"db/port", "5432"}, {"db/url", "x"}, {"list", "a,b"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("yaml: %q, %v", got, err)
	}
	for format, bad := range map[string]string{"dotenv": "A='open\n", "json": "{", "tfvars": "a = 1\n", "yaml": "a: [secret, [x]]\n", "env": "export A='secret'xsecretx\n"} {
		_, err := Decode(format, []byte(bad))
		if exitcode.Code(err) != exitcode.Usage {
			t.Errorf("%s %q: %v", format, bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error quotes the file: %v", format, err)
		}
	}
}

// Import takes values as written: numbers keep their text, lists of
// scalars become StringList text, empty values come back empty (the
// importer skips them), and what cannot be kept is refused naming the key.
func TestDecodeKeepsValues(t *testing.T) {
	for _, tt := range []struct {
		format, data string
		want         []Entry
	}{
		{"yaml", "a: 010\nb: 1.10\nc: 1e3\nd: true\ne: [1, x, 2.50]\nf: ~\ng: []\nh: ''\n",
			[]Entry{{"a", "010"}, {"b", "1.10"}, {"c", "1e3"}, {"d", "true"}, {"e", "1,x,2.50"}, {"f", ""}, {"g", ""}, {"h", ""}}},
		{"json", `{"a": 1.10, "b": 10000000000000000000001, "c": [1, "x", true], "d": null, "e": "", "f": {"g": {"h": "deep"}}}`,
			[]Entry{{"a", "1.10"}, {"b", "10000000000000000000001"}, {"c", "1,x,true"}, {"d", ""}, {"e", ""}, {"f/g/h", "deep"}}},
		{"dotenv", "EMPTY=\nA=1\nQ=''\n", []Entry{{"EMPTY", ""}, {"A", "1"}, {"Q", ""}}},
		{"yaml", "base: &b x\nref: *b\n", []Entry{{"base", "x"}, {"ref", "x"}}},
		// A comment that is not UTF-8 alters no value.
		{"dotenv", "# caf\xe9\nA=1\n", []Entry{{"A", "1"}}},
		// U+FFFD written in the file is a character like any other.
		{"json", `{"a": "\ufffd"}`, []Entry{{"a", "\ufffd"}}},
	} {
		got, err := Decode(tt.format, []byte(tt.data))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %q: got %q, %v; want %q", tt.format, tt.data, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ format, data, want string }{
		{"json", `{"a":{"b":[1,{"c":2}]}}`, `key "a/b": a list that holds an object or a list`},
		{"json", `{"a":[[1]]}`, `key "a": a list that holds an object or a list`},
		{"json", `{"a":[1,null]}`, `key "a": a list that holds null`},
		{"json", `{"a":["x,y"]}`, `key "a": a list item holds a comma`},
		{"yaml", "a:\n  b:\n    - {c: 2}\n", `key "a/b": a list that holds an object or a list`},
		{"json", "{\"ok\": \"x\", \"bin\": \"abc\xff\xfedef\"}", `key "bin": the value is not UTF-8 text`},
		{"yaml", "ok: x\nbin: abc\xff\xfedef\n", `key "bin": the value is not UTF-8 text`},
		{"dotenv", "OK=x\nBIN=abc\xff\xfedef\n", `key "BIN": the value is not UTF-8 text`},
		{"tfvars", "bin = \"abc\xff\"\n", `key "bin": the value is not UTF-8 text`},
		{"json", "{\"a\": \"\xef\xbf\xbd\", \"bin\": \"\xff\"}", `line 1: bytes that are not UTF-8 text`},
		{"json", `null`, `want an object`},
		{"yaml", "- a\n- b\n", `want a mapping`},
	} {
		_, err := Decode(tt.format, []byte(tt.data))
		if exitcode.Code(err) != exitcode.Usage || !strings.Contains(exitcode.Message(err), tt.want) {
			t.Errorf("%s %q: %v (code %d), want 252 %q", tt.format, tt.data, err, exitcode.Code(err), tt.want)
		}
	}
}

func TestValidateValueRefusesBytesThatAreNotUTF8(t *testing.T) {
	err := ValidateValue("/app/bin", "abc\xff\xfedef", "")
	if exitcode.Code(err) != exitcode.Usage || !strings.Contains(exitcode.Message(err), "value of /app/bin is not UTF-8 text (byte 4 is not)") {
		t.Errorf("%v", err)
	}
	if err := ValidateValue("/app/ok", "héllo 世界 🚀", ""); err != nil {
		t.Error(err)
	}
}

func TestDiff(t *testing.T) {
	a := []Parameter{{Name: "/a/same", Value: "1", Type: "String"}, {Name: "/a/gone", Value: "x", Type: "String"}, {Name: "/a/val", Value: "1", Type: "String"}, {Name: "/a/typ", Value: "1", Type: "String"}}
	b := []Parameter{{Name: "/b/same", Value: "1", Type: "String"}, {Name: "/b/new", Value: "y", Type: "String"}, {Name: "/b/val", Value: "2", Type: "String"}, {Name: "/b/typ", Value: "1", Type: "SecureString"}}
	var got []string
	for _, c := range Diff("/a", a, "/b", b) {
		got = append(got, c.Key+" "+c.Kind+" "+c.Reason)
	}
	want := []string{"gone removed ", "new added ", "typ changed type", "val changed value"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diff %q", got)
	}
}

func TestEnvLaterPathsOverride(t *testing.T) {
	f := newFake()
	f.seed("/common/db/url", "String", "common")
	f.seed("/common/log", "String", "info")
	f.seed("/prod/db/url", "String", "prod")
	f.seed("/prod/secret", "SecureString", "s3")
	c, _ := newTestClient(f)
	vars, over, empty, err := c.Env(context.Background(), []string{"/common", "/prod"}, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name] = v.Value
	}
	if !reflect.DeepEqual(got, map[string]string{"DB_URL": "prod", "LOG": "info", "SECRET": "s3"}) {
		t.Errorf("env %v", got)
	}
	if len(over) != 1 || over[0].Name != "DB_URL" || over[0].From != "/common/db/url" || over[0].Over != "/prod/db/url" {
		t.Errorf("overrides %+v", over)
	}
	if len(empty) != 0 {
		t.Errorf("empty %q", empty)
	}
	// A path with nothing under it, and one whose parameters are deeper
	// than the one level read, are both named.
	f.seed("/deep/a/b", "String", "x")
	_, _, empty, err = c.Env(context.Background(), []string{"/common", "/typo", "/deep/"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(empty, []string{"/typo", "/deep"}) {
		t.Errorf("empty %q, want [/typo /deep]", empty)
	}
	if _, _, empty, _ = c.Env(context.Background(), []string{"/deep"}, true); len(empty) != 0 {
		t.Errorf("recursive: empty %q", empty)
	}
}

func TestPlanCopy(t *testing.T) {
	src := []Source{
		{Parameter: Parameter{Name: "/s/a", Type: "SecureString", Value: "x", DataType: "text"}, Tier: "Advanced", KeyID: "alias/mine", Description: "d", Policies: []string{`{"Type":"NoChangeNotification"}`}},
		{Parameter: Parameter{Name: "/s/b/c", Type: "String", Value: "y"}, Tier: "Standard", KeyID: ""},
	}
	existing := map[string]Parameter{"/d/b/c": {Name: "/d/b/c", Type: "String", Value: "y", Version: 4}}
	items, notes := PlanCopy(src, existing, CopyOptions{Src: "/s", Dst: "/d/", Path: true, SameKeys: false})
	if len(items) != 2 || items[0].Name != "/d/a" || items[1].Name != "/d/b/c" || items[1].Action != Unchanged || items[0].Action != Create {
		t.Fatalf("items %+v", items)
	}
	p := items[0].Put
	if p.Tier != "Advanced" || p.Type != "SecureString" || p.Description != "d" || p.KeyID != "" || p.Policies != `[{"Type":"NoChangeNotification"}]` {
		t.Errorf("put %+v", p)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "alias/mine") {
		t.Errorf("notes %v", notes)
	}
	items, notes = PlanCopy(src[:1], nil, CopyOptions{Src: "/s/a", Dst: "/d/x", SameKeys: true})
	if items[0].Name != "/d/x" || items[0].Put.KeyID != "alias/mine" || len(notes) != 0 {
		t.Errorf("same account: %+v %v", items, notes)
	}
}

func TestParseTag(t *testing.T) {
	for in, ok := range map[string]bool{
		"team=core": true, "Name=web server 1": true, "k=": true, "café=crème": true, "path=/a/b:c+d@e": true,
		"noequals": false, "=v": false, "aws:x=1": false, "k=semi;colon": false, "k=tab\there": false,
		strings.Repeat("k", 129) + "=v": false, "k=" + strings.Repeat("v", 257): false,
	} {
		if _, _, err := ParseTag(in); (err == nil) != ok {
			t.Errorf("ParseTag(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

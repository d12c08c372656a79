package target

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func specs(t *testing.T, raws ...string) []Spec {
	t.Helper()
	s, err := ParseAll(raws, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ids(nodes []Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID
	}
	return out
}

func id(i int) string { return fmt.Sprintf("i-%017x", i+1) }

const (
	hybridWeb = "mi-0000000000000000a"
	hybridDB  = "mi-0000000000000000b"
)

// smallFleet: 10 EC2 nodes (web-000, db-001, ... ; i-...9 ConnectionLost)
// and two hybrid nodes known by managed name and computer name.
func smallFleet() *fakeAWS {
	return fleet(10,
		hybrid(hybridWeb, "web-onprem", "WEBHOST01", ssmtypes.PingStatusOnline, map[string]string{"Env": "prod", "Team": ""}),
		hybrid(hybridDB, "", "dbhost", ssmtypes.PingStatusInactive, nil),
	)
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		specs    []string
		ping     []string
		withTags bool
		account  bool
		want     []string // IDs in order
		// API calls
		describe, tagging, groups int
	}{
		{name: "all nodes sorted by display name", specs: nil,
			// without tags, display names are managed names / computer names
			want:     []string{hybridDB, id(0), id(1), id(2), id(3), id(4), id(5), id(6), id(7), id(8), id(9), hybridWeb},
			describe: 1},
		{name: "all nodes with tags", withTags: true,
			want:     []string{id(1), id(3), id(5), id(7), id(9), hybridDB, id(0), id(2), id(4), id(6), id(8), hybridWeb},
			describe: 1, tagging: 1},
		{name: "id only makes no tagging call", specs: []string{id(3), id(1)},
			want: []string{id(1), id(3)}, describe: 1},
		{name: "id and ping", specs: []string{id(9), id(1)}, ping: []string{"online"},
			want: []string{id(1)}, describe: 1},
		{name: "literal name by Name tag", specs: []string{"web-002"},
			want: []string{id(2)}, describe: 1, tagging: 1},
		{name: "glob by Name tag", specs: []string{"db-00[13]"},
			want: []string{id(1), id(3)}, describe: 1, tagging: 1},
		// one call looks up the name as a Name tag, one reads the Name tag
		// of the node matched otherwise, for display
		{name: "name matches managed name", specs: []string{"web-onprem"},
			want: []string{hybridWeb}, describe: 1, tagging: 2},
		{name: "name matches computer name", specs: []string{"dbhost"},
			want: []string{hybridDB}, describe: 1, tagging: 2},
		{name: "names are case-sensitive", specs: []string{"webhost01", "WEBHOST*"},
			want: []string{hybridWeb}, describe: 1, tagging: 1},
		{name: "glob matches all three names", specs: []string{"web-*"},
			want: []string{id(0), id(2), id(4), id(6), id(8), hybridWeb}, describe: 1, tagging: 1},
		{name: "union of id and name; display name fetched for the id", specs: []string{"web-000", id(1)},
			want: []string{id(1), id(0)}, describe: 1, tagging: 2},
		{name: "union with account known reads by ARN", specs: []string{"web-000", id(1)}, account: true,
			want: []string{id(1), id(0)}, describe: 1, tagging: 2},
		{name: "tag only: server-side filter, no tagging call", specs: []string{"tag:Role=db"},
			want: []string{id(1), id(3), id(5), id(7), id(9)}, describe: 1},
		{name: "tag with several values", specs: []string{"tag:Env=dev,staging", "tag:Role=web"},
			want: []string{id(0), id(6)}, describe: 1},
		{name: "tags AND together", specs: []string{"tag:Env=prod", "tag:Role=db"},
			want: []string{id(1), id(5), id(7)}, describe: 1},
		{name: "tag and ping: ping applied on the client", specs: []string{"tag:Role=db"}, ping: []string{"ConnectionLost"},
			want: []string{id(9)}, describe: 1},
		{name: "name narrowed by tag", specs: []string{"web-*", "tag:Env=prod"},
			want: []string{id(2), id(4), id(8), hybridWeb}, describe: 1, tagging: 1},
		{name: "id narrowed by tag", specs: []string{id(0), id(2), "tag:Env=prod"},
			want: []string{id(2)}, describe: 1, tagging: 1},
		{name: "empty tag value matched on the client", specs: []string{"tag:Team="},
			want: []string{hybridWeb}, describe: 1, tagging: 1},
		{name: "ping filter on all nodes", ping: []string{"ConnectionLost", "Inactive"},
			want: []string{hybridDB, id(9)}, describe: 1},
		{name: "group", specs: []string{"group:dbs"},
			want: []string{id(1), id(3)}, describe: 1, groups: 1},
		{name: "group and tag", specs: []string{"group:dbs", "tag:Env=prod"},
			want: []string{id(1)}, describe: 1, groups: 1, tagging: 1},
		{name: "two groups intersect", specs: []string{"group:dbs", "group:odd"},
			want: []string{id(3)}, describe: 1, groups: 2},
		{name: "group with a member that is not a managed node", specs: []string{"group:mixed"},
			want: []string{id(4)}, describe: 2, groups: 1},
		{name: "group and ids", specs: []string{"group:dbs", id(1), id(5)},
			want: []string{id(1)}, describe: 1, groups: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := smallFleet()
			f.groups["dbs"] = []string{arnOf(id(1)), arnOf(id(3)), "arn:aws:s3:::bucket"}
			f.groups["odd"] = []string{arnOf(id(3)), arnOf(id(0))}
			f.groups["mixed"] = []string{arnOf(id(4)), arnOf("i-0fffffffffffffff0")}
			f.unmanaged = map[string]map[string]string{"i-0fffffffffffffff0": {"Name": "web-002"}}
			r := f.resolver()
			if tt.account {
				r.AccountID, r.Region = fakeAccount, fakeRegion
			}
			var warnings []string
			r.Warn = func(s string) { warnings = append(warnings, s) }
			nodes, err := r.Resolve(context.Background(), Query{Specs: specs(t, tt.specs...), Ping: tt.ping, WithTags: tt.withTags})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got := ids(nodes); !reflect.DeepEqual(got, tt.want) {
				var names []string
				for _, n := range nodes {
					names = append(names, n.Name)
				}
				t.Errorf("got %v (%v), want %v", got, names, tt.want)
			}
			if f.describeCalls != tt.describe || f.tagCalls != tt.tagging || f.groupCalls != tt.groups {
				t.Errorf("calls: describe %d tagging %d groups %d, want %d %d %d",
					f.describeCalls, f.tagCalls, f.groupCalls, tt.describe, tt.tagging, tt.groups)
			}
			if len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
			for _, n := range nodes {
				if n.Name == "" {
					t.Errorf("node %s has no display name", n.ID)
				}
				if tt.withTags != (n.Tags != nil) {
					t.Errorf("node %s: Tags = %v with WithTags=%v", n.ID, n.Tags, tt.withTags)
				}
			}
		})
	}
}

func TestResolveNodeFields(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	nodes, err := f.resolver().Resolve(context.Background(), Query{Specs: specs(t, "web-002", "web-onprem"), WithTags: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 {
		t.Fatalf("got %d nodes", len(nodes))
	}
	ec2 := nodes[0]
	if ec2.ID != id(2) || ec2.Name != "web-002" || ec2.NameTag != "web-002" || ec2.ComputerName != "ip-10-0-0-2.ec2.internal" ||
		ec2.PingStatus != "Online" || ec2.PlatformType != "Linux" || ec2.ResourceType != "EC2Instance" || ec2.LastPing.IsZero() ||
		!reflect.DeepEqual(ec2.Tags, map[string]string{"Name": "web-002", "Env": "prod", "Role": "web"}) {
		t.Errorf("EC2 node = %+v", ec2)
	}
	hy := nodes[1]
	if hy.ID != hybridWeb || hy.Name != "web-onprem" || hy.NameTag != "" || hy.ManagedName != "web-onprem" ||
		hy.ResourceType != "ManagedInstance" || !reflect.DeepEqual(hy.Tags, map[string]string{"Env": "prod", "Team": ""}) {
		t.Errorf("hybrid node = %+v", hy)
	}
}

func TestResolveRequests(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	r := f.resolver()
	ctx := context.Background()
	if _, err := r.Resolve(ctx, Query{Specs: specs(t, id(1)), Ping: []string{"Online"}}); err != nil {
		t.Fatal(err)
	}
	in := f.describeInputs[0]
	if aws.ToInt32(in.MaxResults) != 50 || len(in.Filters) != 2 ||
		aws.ToString(in.Filters[0].Key) != "InstanceIds" || !reflect.DeepEqual(in.Filters[0].Values, []string{id(1)}) ||
		aws.ToString(in.Filters[1].Key) != "PingStatus" || !reflect.DeepEqual(in.Filters[1].Values, []string{"Online"}) {
		t.Errorf("DescribeInstanceInformation input = %+v", in)
	}
	if _, err := r.Resolve(ctx, Query{Specs: specs(t, "db-*")}); err != nil {
		t.Fatal(err)
	}
	tin := f.tagInputs[0]
	if aws.ToInt32(tin.ResourcesPerPage) != 100 || !reflect.DeepEqual(tin.ResourceTypeFilters, []string{"ec2:instance", "ssm:managed-instance"}) ||
		len(tin.TagFilters) != 1 || aws.ToString(tin.TagFilters[0].Key) != "Name" || tin.TagFilters[0].Values != nil {
		t.Errorf("GetResources input = %+v", tin)
	}
}

// TestResolveCalls counts API calls on a 1,000-node fleet.
func TestResolveCalls(t *testing.T) {
	t.Parallel()
	var hundred []string
	for i := range 150 {
		hundred = append(hundred, id(i*5))
	}
	tests := []struct {
		name                string
		specs               []string
		withTags, account   bool
		want                int
		describe, tagging   int
		wantFirstTagFilters string
	}{
		{name: "all", want: 1000, describe: 20},
		{name: "one id", specs: []string{id(500)}, want: 1, describe: 1},
		// 150 IDs: batches of 100 and 50 values, pages of 50.
		{name: "150 ids", specs: hundred, want: 150, describe: 3},
		{name: "tag", specs: []string{"tag:Role=db", "tag:Env=dev"}, want: 167, describe: 4},
		// 20 pages of nodes, 10 pages of Name-tagged instances.
		{name: "glob", specs: []string{"web-0*"}, want: 50, describe: 20, tagging: 10},
		// the Name lookup by value is one call
		{name: "literal", specs: []string{"web-010", "db-011"}, want: 2, describe: 20, tagging: 1},
		{name: "ids with tags, account known", specs: []string{id(1), id(2)}, withTags: true, account: true, want: 2, describe: 1, tagging: 1},
		{name: "all with tags, account known", withTags: true, account: true, want: 1000, describe: 20, tagging: 10},
		{name: "all with tags", withTags: true, want: 1000, describe: 20, tagging: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := fleet(1000)
			r := f.resolver()
			if tt.account {
				r.AccountID, r.Region = fakeAccount, fakeRegion
			}
			nodes, err := r.Resolve(context.Background(), Query{Specs: specs(t, tt.specs...), WithTags: tt.withTags})
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != tt.want {
				t.Errorf("got %d nodes, want %d", len(nodes), tt.want)
			}
			if f.describeCalls != tt.describe || f.tagCalls != tt.tagging {
				t.Errorf("calls: describe %d tagging %d, want %d %d", f.describeCalls, f.tagCalls, tt.describe, tt.tagging)
			}
			if !slices.IsSortedFunc(nodes, func(a, b Node) int {
				if c := strings.Compare(a.Name, b.Name); c != 0 {
					return c
				}
				return strings.Compare(a.ID, b.ID)
			}) {
				t.Error("nodes not sorted by name, ID")
			}
		})
	}
}

func TestResolveTaggingDenied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("names degrade to managed and computer names", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		f.denyTags = true
		r := f.resolver()
		var warnings []string
		r.Warn = func(s string) { warnings = append(warnings, s) }
		nodes, err := r.Resolve(ctx, Query{Specs: specs(t, "web-*", "dbhost")})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(nodes); !reflect.DeepEqual(got, []string{hybridDB, hybridWeb}) {
			t.Errorf("got %v", got)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "AccessDeniedException") || !strings.Contains(warnings[0], "names match managed-node names and computer names only") {
			t.Errorf("warnings = %q", warnings)
		}
	})
	t.Run("WithTags leaves Tags nil", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		f.denyTags = true
		r := f.resolver()
		var warnings []string
		r.Warn = func(s string) { warnings = append(warnings, s) }
		nodes, err := r.Resolve(ctx, Query{Specs: specs(t, id(1)), WithTags: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) != 1 || nodes[0].Tags != nil || len(warnings) != 1 {
			t.Errorf("nodes %+v warnings %q", nodes, warnings)
		}
	})
	t.Run("no tagging client", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		var warned bool
		r := &Resolver{SSM: f, Warn: func(string) { warned = true }}
		nodes, err := r.Resolve(ctx, Query{Specs: specs(t, "web-onprem")})
		if err != nil || len(nodes) != 1 || !warned {
			t.Errorf("nodes %v err %v warned %v", ids(nodes), err, warned)
		}
	})
	t.Run("client-side tag spec fails with the AWS error", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		f.denyTags = true
		_, err := f.resolver().Resolve(ctx, Query{Specs: specs(t, "tag:Team=")})
		if exitcode.Code(err) != exitcode.AWS || !strings.Contains(exitcode.Message(err), "AccessDeniedException") {
			t.Errorf("err = %v (code %d)", err, exitcode.Code(err))
		}
	})
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		specs    []Spec
		ping     []string
		ssmErr   error
		wantCode int
		wantMsg  string
	}{
		{name: "unknown id", specs: specs(t, "i-0000000000000dead"), wantCode: exitcode.Usage, wantMsg: "no managed node i-0000000000000dead"},
		{name: "unknown id among known", specs: specs(t, id(1), "i-0000000000000dead", id(2), "mi-000000000000dead0"), wantCode: exitcode.Usage,
			wantMsg: "no managed node i-0000000000000dead, mi-000000000000dead0"},
		{name: "no match", specs: specs(t, "nosuch-*"), wantCode: exitcode.Usage, wantMsg: "no managed node matches nosuch-*"},
		{name: "no match with tag", specs: specs(t, "web-*", "tag:Env=qa"), wantCode: exitcode.Usage, wantMsg: "no managed node matches web-* tag:Env=qa"},
		{name: "no match with ping", specs: specs(t, id(1)), ping: []string{"Inactive"}, wantCode: exitcode.Usage, wantMsg: "no managed node matches " + id(1) + " with ping status Inactive"},
		{name: "unknown group", specs: specs(t, "group:nope"), wantCode: exitcode.Usage, wantMsg: `target "group:nope": no resource group nope`},
		{name: "empty group", specs: specs(t, "group:empty"), wantCode: exitcode.Usage, wantMsg: "no managed node matches group:empty"},
		{name: "bad ping", ping: []string{"Offline"}, wantCode: exitcode.Usage, wantMsg: `unknown ping status "Offline"`},
		{name: "alias not expanded", specs: []Spec{{Raw: "@db", Kind: KindAlias, Alias: "db"}}, wantCode: exitcode.Usage, wantMsg: "alias not expanded"},
		{name: "AWS error", ssmErr: apiErr("ThrottlingException", "Rate exceeded"), wantCode: exitcode.AWS, wantMsg: "ThrottlingException: Rate exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := smallFleet()
			f.groups["empty"] = []string{"arn:aws:s3:::bucket"}
			f.ssmErr = tt.ssmErr
			_, err := f.resolver().Resolve(ctx, Query{Specs: tt.specs, Ping: tt.ping})
			if err == nil {
				t.Fatal("no error")
			}
			if exitcode.Code(err) != tt.wantCode || !strings.Contains(exitcode.Message(err), tt.wantMsg) {
				t.Errorf("error %q (code %d), want code %d containing %q", exitcode.Message(err), exitcode.Code(err), tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestResolveUnknownIDWithoutAWSError(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	f.lenientIDs = true
	_, err := f.resolver().Resolve(context.Background(), Query{Specs: specs(t, id(1), "i-0000000000000dead")})
	if exitcode.Code(err) != exitcode.Usage || exitcode.Message(err) != "no managed node i-0000000000000dead" || f.describeCalls != 1 {
		t.Errorf("err = %v, %d calls", err, f.describeCalls)
	}
}

func TestResolveUnknownIDWithPing(t *testing.T) {
	t.Parallel()
	// AWS rejects an unknown ID whatever the other filters; the listing that
	// follows names it.
	f := smallFleet()
	_, err := f.resolver().Resolve(context.Background(), Query{Specs: specs(t, "i-0000000000000dead"), Ping: []string{"Online"}})
	var e *exitcode.Error
	if !errors.As(err, &e) || e.Code != exitcode.Usage || !strings.Contains(err.Error(), "no managed node i-0000000000000dead") {
		t.Errorf("err = %v", err)
	}
}

func TestNodeIDFromARN(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0":          "i-0123456789abcdef0",
		"arn:aws-cn:ssm:cn-north-1:123456789012:managed-instance/mi-0123456789abc": "mi-0123456789abc",
		"arn:aws:ec2:eu-west-1:123456789012:volume/vol-1":                          "",
		"arn:aws:s3:::bucket": "",
		"not an arn":          "",
	}
	for arn, want := range tests {
		got, ok := nodeIDFromARN(arn)
		if got != want || ok != (want != "") {
			t.Errorf("nodeIDFromARN(%q) = %q, %v; want %q", arn, got, ok, want)
		}
	}
	r := Resolver{Region: "cn-north-1", AccountID: "123456789012"}
	if got := r.arn("mi-0123456789abcdef0"); got != "arn:aws-cn:ssm:cn-north-1:123456789012:managed-instance/mi-0123456789abcdef0" {
		t.Errorf("arn = %q", got)
	}
}

// await waits for ch, or for ctx to be cancelled; after overlapTimeout it
// gives up with an error that names what it waited for.
func await(ctx context.Context, ch <-chan struct{}, what string) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(overlapTimeout):
		return fmt.Errorf("no %s within %s", what, overlapTimeout)
	}
}

const overlapTimeout = 5 * time.Second

// TestResolveOverlap checks that a tag listing, which does not depend on the
// nodes, runs at the same time as the node listing: the first
// DescribeInstanceInformation and the first GetResources each wait until the
// other has started.
func TestResolveOverlap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		specs             []string
		withTags, account bool
		want              int
		describe, tagging int
	}{
		{name: "all nodes with tags", withTags: true, want: 1000, describe: 20, tagging: 10},
		{name: "ids with tags", specs: []string{id(1), id(2)}, withTags: true, want: 2, describe: 1, tagging: 10},
		{name: "glob", specs: []string{"web-0*"}, want: 50, describe: 20, tagging: 10},
		// with IDs, tag specs are checked on the client: 667 nodes are prod
		{name: "ids and tag", specs: []string{id(0), id(1), id(2), "tag:Env=prod"}, want: 2, describe: 1, tagging: 7},
		// the lookup by Name value is a listing even when ARNs are known
		{name: "literal names, account known", specs: []string{"web-010", "db-011"}, account: true, want: 2, describe: 20, tagging: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := fleet(1000)
			listing, tagging := make(chan struct{}), make(chan struct{})
			var listOnce, tagOnce sync.Once
			f.beforeDescribe = func(ctx context.Context) error {
				listOnce.Do(func() { close(listing) })
				return await(ctx, tagging, "GetResources call during the node listing")
			}
			f.beforeTags = func(ctx context.Context) error {
				tagOnce.Do(func() { close(tagging) })
				return await(ctx, listing, "DescribeInstanceInformation call during the tag listing")
			}
			r := f.resolver()
			if tt.account {
				r.AccountID, r.Region = fakeAccount, fakeRegion
			}
			nodes, err := r.Resolve(context.Background(), Query{Specs: specs(t, tt.specs...), WithTags: tt.withTags})
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != tt.want {
				t.Errorf("got %d nodes, want %d", len(nodes), tt.want)
			}
			if f.describeCalls != tt.describe || f.tagCalls != tt.tagging {
				t.Errorf("calls: describe %d tagging %d, want %d %d", f.describeCalls, f.tagCalls, tt.describe, tt.tagging)
			}
			for _, n := range nodes {
				if n.NameTag == "" {
					t.Fatalf("node %s has no Name tag", n.ID)
				}
			}
		})
	}

	t.Run("tags by ARN wait for the nodes", func(t *testing.T) {
		t.Parallel()
		f := fleet(1000)
		var before int
		f.beforeTags = func(context.Context) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.tagCalls == 0 {
				before = f.describeCalls
			}
			return nil
		}
		r := f.resolver()
		r.AccountID, r.Region = fakeAccount, fakeRegion
		nodes, err := r.Resolve(context.Background(), Query{WithTags: true})
		if err != nil || len(nodes) != 1000 || before != 20 {
			t.Errorf("%d nodes, err %v; %d DescribeInstanceInformation calls before the first GetResources, want 20", len(nodes), err, before)
		}
	})
}

// TestResolveOverlapCancel checks that when the node listing and the tag
// listing run at the same time, a failure of one cancels the other.
func TestResolveOverlapCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// blockUntilCancelled makes a call wait for its context's cancellation
	// and records that it came.
	blockUntilCancelled := func(cancelled *bool) func(context.Context) error {
		return func(ctx context.Context) error {
			err := await(ctx, nil, "cancellation")
			*cancelled = errors.Is(err, context.Canceled)
			return err
		}
	}

	// A denied tag read that tag specs need stops the listing after the
	// call under way, whose error, if any, still comes first.
	slowListing := func(f *fakeAWS) {
		tagging := make(chan struct{})
		var once sync.Once
		f.beforeTags = func(context.Context) error { once.Do(func() { close(tagging) }); return nil }
		f.beforeDescribe = func(ctx context.Context) error {
			time.Sleep(10 * time.Millisecond)
			return await(ctx, tagging, "GetResources call")
		}
	}
	t.Run("tag error stops the node listing", func(t *testing.T) {
		t.Parallel()
		f := fleet(1000)
		f.denyTags = true
		slowListing(f)
		_, err := f.resolver().Resolve(ctx, Query{Specs: specs(t, "tag:Team=")})
		if exitcode.Code(err) != exitcode.AWS || !strings.HasPrefix(fmt.Sprint(err), "read tags for tag:Team=: ") ||
			!strings.Contains(exitcode.Message(err), "AccessDeniedException") || f.describeCalls >= 20 {
			t.Errorf("err = %v (code %d) after %d DescribeInstanceInformation calls", err, exitcode.Code(err), f.describeCalls)
		}
	})
	t.Run("listing error under way comes first", func(t *testing.T) {
		t.Parallel()
		f := fleet(1000)
		f.denyTags = true
		f.ssmErr = apiErr("InternalServerError", "boom")
		slowListing(f)
		_, err := f.resolver().Resolve(ctx, Query{Specs: specs(t, "tag:Team=")})
		if exitcode.Code(err) != exitcode.AWS || !strings.HasPrefix(fmt.Sprint(err), "list managed nodes: ") || !strings.Contains(exitcode.Message(err), "InternalServerError") {
			t.Errorf("err = %v (code %d)", err, exitcode.Code(err))
		}
	})
	t.Run("listing error cancels the tag read", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		f.ssmErr = apiErr("ThrottlingException", "Rate exceeded")
		var cancelled bool
		f.beforeTags = blockUntilCancelled(&cancelled)
		_, err := f.resolver().Resolve(ctx, Query{WithTags: true})
		if !cancelled || exitcode.Code(err) != exitcode.AWS ||
			!strings.HasPrefix(fmt.Sprint(err), "list managed nodes: ") || !strings.Contains(exitcode.Message(err), "ThrottlingException") {
			t.Errorf("err = %v (code %d), tag read cancelled %v", err, exitcode.Code(err), cancelled)
		}
	})
	t.Run("unknown id is still a usage error", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		var cancelled bool
		f.beforeTags = blockUntilCancelled(&cancelled)
		_, err := f.resolver().Resolve(ctx, Query{Specs: specs(t, "i-0000000000000dead"), WithTags: true})
		if !cancelled || exitcode.Code(err) != exitcode.Usage || exitcode.Message(err) != "no managed node i-0000000000000dead" {
			t.Errorf("err = %v (code %d), tag read cancelled %v", err, exitcode.Code(err), cancelled)
		}
	})
	t.Run("no node cancels the tag read", func(t *testing.T) {
		t.Parallel()
		f := fleet(5) // all Online
		var cancelled bool
		f.beforeTags = blockUntilCancelled(&cancelled)
		_, err := f.resolver().Resolve(ctx, Query{Specs: specs(t, "tag:Team="), Ping: []string{"Inactive"}})
		if !cancelled || exitcode.Code(err) != exitcode.Usage || exitcode.Message(err) != "no managed node matches tag:Team= with ping status Inactive" {
			t.Errorf("err = %v (code %d), tag read cancelled %v", err, exitcode.Code(err), cancelled)
		}
	})
	t.Run("denied tags do not stop the listing", func(t *testing.T) {
		t.Parallel()
		f := smallFleet()
		f.denyTags = true
		tagged := make(chan struct{})
		var once sync.Once
		f.beforeTags = func(context.Context) error { once.Do(func() { close(tagged) }); return nil }
		f.beforeDescribe = func(ctx context.Context) error { return await(ctx, tagged, "GetResources call") }
		var warnings []string
		r := f.resolver()
		r.Warn = func(s string) { warnings = append(warnings, s) }
		nodes, err := r.Resolve(ctx, Query{WithTags: true})
		if err != nil || len(nodes) != 12 || nodes[0].Tags != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "tags are not shown") {
			t.Errorf("%d nodes, err %v, warnings %q", len(nodes), err, warnings)
		}
	})
}

// WithNames reads Name tags for display even when no spec names a node, and
// nothing more: tag-only queries otherwise make no tagging call.
func TestResolveWithNames(t *testing.T) {
	t.Parallel()
	for _, withNames := range []bool{false, true} {
		f := fleet(1000)
		nodes, err := f.resolver().Resolve(context.Background(), Query{Specs: specs(t, "tag:Env=prod"), WithNames: withNames})
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) == 0 {
			t.Fatal("no nodes")
		}
		if !withNames {
			if f.tagCalls != 0 {
				t.Errorf("without WithNames: %d tagging calls, want 0", f.tagCalls)
			}
			continue
		}
		if f.tagCalls == 0 {
			t.Error("WithNames made no tagging call")
		}
		for _, n := range nodes {
			if n.NameTag == "" || n.Name != n.NameTag {
				t.Fatalf("node %s: name %q, Name tag %q", n.ID, n.Name, n.NameTag)
			}
			if n.Tags != nil {
				t.Fatalf("node %s: WithNames filled Tags", n.ID)
			}
		}
	}
}

// A listing's rule: specs that select nodes of which the ping filter keeps
// none are an empty result; specs that select nothing stay an error.
func TestResolveFilterMayEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		specs   []string
		ping    []string
		wantErr string
	}{
		{name: "tag, filtered out by ping", specs: []string{"tag:Env=prod"}, ping: []string{"Inactive"}},
		{name: "id, filtered out by ping", specs: []string{id(1)}, ping: []string{"Inactive"}},
		{name: "glob, filtered out by ping", specs: []string{"web-*"}, ping: []string{"Inactive"}},
		{name: "tag that matches nothing", specs: []string{"tag:Env=qa"}, ping: []string{"Online"}, wantErr: "no managed node matches tag:Env=qa"},
		{name: "unknown id", specs: []string{"i-0000000000000dead"}, ping: []string{"Online"}, wantErr: "no managed node i-0000000000000dead"},
		{name: "glob that matches nothing", specs: []string{"nosuch-*"}, ping: []string{"Online"}, wantErr: "no managed node matches nosuch-*"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nodes, err := smallFleet().resolver().Resolve(ctx, Query{Specs: specs(t, tt.specs...), Ping: tt.ping, FilterMayEmpty: true})
			if tt.wantErr == "" {
				if err != nil || nodes == nil || len(nodes) != 0 {
					t.Errorf("got %v, %v; want an empty list", ids(nodes), err)
				}
				return
			}
			if exitcode.Code(err) != exitcode.Usage || !strings.Contains(exitcode.Message(err), tt.wantErr) {
				t.Errorf("err %v (code %d), want 252 %q", err, exitcode.Code(err), tt.wantErr)
			}
		})
	}
}

package opsitems

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestParseData(t *testing.T) {
	for _, tc := range []struct {
		in   string
		key  string
		want Data
		ok   bool
	}{
		{"EC2=1", "EC2", Data{Value: "1"}, true},
		{"EC2=1:searchable", "EC2", Data{Value: "1", Searchable: true}, true},
		{"url=http://h:80", "url", Data{Value: "http://h:80"}, true},
		{"a=b=c", "a", Data{Value: "b=c"}, true},
		{"EC2", "", Data{}, false},
		{"=v", "", Data{}, false},
		{"k=:searchable", "", Data{}, false},
		{"aws-x=1", "", Data{}, false},
		{"/amazon/x=1", "", Data{}, false},
	} {
		k, d, err := ParseData(tc.in)
		if (err == nil) != tc.ok || k != tc.key || d != tc.want {
			t.Errorf("ParseData(%q) = %q %+v %v", tc.in, k, d, err)
		}
		if err != nil && exitcode.Code(err) != exitcode.Usage {
			t.Errorf("ParseData(%q): exit %d", tc.in, exitcode.Code(err))
		}
	}
}

func TestFilters(t *testing.T) {
	f := Filter{Statuses: []string{"Open", "InProgress"}, Priority: 2, Severity: 3, Source: "ec2", Category: "Cost",
		TitleContains: "disk", CreatedAfter: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Data: []KeyValue{{"team", "ops"}}}
	var got []string
	for _, fl := range f.filters() {
		got = append(got, string(fl.Key)+" "+string(fl.Operator)+" "+strings.Join(fl.Values, ","))
	}
	want := []string{
		"Status Equal Open,InProgress", "Priority Equal 2", "Severity Equal 3", "Source Equal ec2", "Category Equal Cost",
		"Title Contains disk", "CreatedTime GreaterThan 2026-11-01T00:00:00Z", `OperationalData Equal {"key":"team","value":"ops"}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("filters:\n%q\nwant\n%q", got, want)
	}
}

// fake is OpsCenter as the tests need it.
type fake struct {
	API
	open    []string // IDs DescribeOpsItems answers
	created *ssm.CreateOpsItemInput
	updated *ssm.UpdateOpsItemInput
	item    types.OpsItem
	answer  string
}

func (f *fake) DescribeOpsItems(_ context.Context, in *ssm.DescribeOpsItemsInput, _ ...func(*ssm.Options)) (*ssm.DescribeOpsItemsOutput, error) {
	out := &ssm.DescribeOpsItemsOutput{}
	for _, id := range f.open {
		out.OpsItemSummaries = append(out.OpsItemSummaries, types.OpsItemSummary{OpsItemId: aws.String(id)})
	}
	return out, nil
}

func (f *fake) CreateOpsItem(_ context.Context, in *ssm.CreateOpsItemInput, _ ...func(*ssm.Options)) (*ssm.CreateOpsItemOutput, error) {
	f.created = in
	return &ssm.CreateOpsItemOutput{OpsItemId: aws.String(f.answer)}, nil
}

func (f *fake) GetOpsItem(context.Context, *ssm.GetOpsItemInput, ...func(*ssm.Options)) (*ssm.GetOpsItemOutput, error) {
	return &ssm.GetOpsItemOutput{OpsItem: &f.item}, nil
}

func (f *fake) UpdateOpsItem(_ context.Context, in *ssm.UpdateOpsItemInput, _ ...func(*ssm.Options)) (*ssm.UpdateOpsItemOutput, error) {
	f.updated = in
	return &ssm.UpdateOpsItemOutput{}, nil
}

func TestCreateTellsExisting(t *testing.T) {
	ctx := context.Background()
	f := &fake{open: []string{"oi-000000000001"}, answer: "oi-000000000001"}
	c := &Client{API: f}
	got, err := c.Create(ctx, NewItem{Title: "t", Source: "s", Description: "d", Dedup: "x"})
	if err != nil || !got.Existing {
		t.Errorf("dedup answered with an open one: %+v %v", got, err)
	}
	if v := aws.ToString(f.created.OperationalData[DedupKey].Value); v != `{"dedupString":"x"}` || f.created.OperationalData[DedupKey].Type != types.OpsItemDataTypeSearchableString {
		t.Errorf("/aws/dedup sent as %q", v)
	}
	f.answer = "oi-000000000002"
	if got, _ := c.Create(ctx, NewItem{Title: "t", Source: "s", Description: "d", Dedup: "x"}); got.Existing {
		t.Error("a new ID reported as existing")
	}
}

func TestUpdateMergesAndResolve(t *testing.T) {
	ctx := context.Background()
	f := &fake{item: types.OpsItem{
		RelatedOpsItems: []types.RelatedOpsItem{{OpsItemId: aws.String("oi-000000000001")}},
		OperationalData: map[string]types.OpsItemDataValue{ResourcesKey: {Value: aws.String(`[{"arn":"arn:aws:ec2:r:1:instance/i-1"}]`)}},
	}}
	c := &Client{API: f}
	err := c.Update(ctx, "oi-00000000000f", Change{Related: []string{"oi-000000000001", "oi-000000000002"}, Resources: []string{"arn:aws:ec2:r:1:instance/i-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.updated.RelatedOpsItems) != 2 || aws.ToString(f.updated.OperationalData[ResourcesKey].Value) !=
		`[{"arn":"arn:aws:ec2:r:1:instance/i-1"},{"arn":"arn:aws:ec2:r:1:instance/i-2"}]` {
		t.Errorf("update: %+v", f.updated)
	}
	if err := c.Resolve(ctx, "oi-00000000000f", "fixed"); err != nil {
		t.Fatal(err)
	}
	if f.updated.Status != types.OpsItemStatusResolved || aws.ToString(f.updated.OperationalData[NoteKey].Value) != "fixed" ||
		f.updated.OperationalData[NoteKey].Type != types.OpsItemDataTypeString {
		t.Errorf("resolve: %+v", f.updated)
	}
}

func TestForRun(t *testing.T) {
	n := ForRun(RunFailure{CommandIDs: []string{"c1", "c2"}, Document: "AWS-RunShellScript", FailedNodes: []string{"i-1", "i-2"}})
	if n.Source != "ssmctl" || n.Dedup != "ssmctl-run-c1" || n.Data["commandId"].Value != "c1,c2" || n.Data["failedNodes"].Value != "i-1,i-2" ||
		!n.Data["document"].Searchable || n.Check() != nil {
		t.Errorf("ForRun: %+v (%v)", n, n.Check())
	}
}

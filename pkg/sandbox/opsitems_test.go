package sandbox

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func createOpsItem(t *testing.T, c *ssm.Client, title string, mods ...func(*ssm.CreateOpsItemInput)) string {
	t.Helper()
	in := &ssm.CreateOpsItemInput{Title: aws.String(title), Source: aws.String("ec2"), Description: aws.String("d")}
	for _, m := range mods {
		m(in)
	}
	out, err := c.CreateOpsItem(ctx(), in)
	if err != nil {
		t.Fatalf("CreateOpsItem %s: %v", title, err)
	}
	return aws.ToString(out.OpsItemId)
}

func dedup(s string) func(*ssm.CreateOpsItemInput) {
	return func(in *ssm.CreateOpsItemInput) {
		if in.OperationalData == nil {
			in.OperationalData = map[string]types.OpsItemDataValue{}
		}
		in.OperationalData["/aws/dedup"] = types.OpsItemDataValue{Value: aws.String(`{"dedupString":"` + s + `"}`), Type: types.OpsItemDataTypeSearchableString}
	}
}

// The standard example: create, get, and the fields AWS answers.
func TestOpsItemCreateGet(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	out, err := c.CreateOpsItem(ctx(), &ssm.CreateOpsItemInput{
		Title:       aws.String("EC2 instance disk full"),
		Description: aws.String("Log clean up may have failed due to full disk"),
		Priority:    aws.Int32(2),
		Source:      aws.String("ec2"),
		OperationalData: map[string]types.OpsItemDataValue{
			"EC2":  {Value: aws.String("1"), Type: types.OpsItemDataTypeSearchableString},
			"note": {Value: aws.String("private"), Type: types.OpsItemDataTypeString},
		},
		Notifications: []types.OpsItemNotification{{Arn: aws.String("arn:aws:sns:us-east-1:123456789012:ops")}},
		Tags:          []types.Tag{{Key: aws.String("EC2"), Value: aws.String("Prod")}},
		Severity:      aws.String("2"),
		Category:      aws.String("Availability"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.OpsItemId)
	if !regexp.MustCompile(`^oi-[0-9a-f]{12}$`).MatchString(id) || aws.ToString(out.OpsItemArn) != "arn:aws:ssm:us-east-1:123456789012:opsitem/"+id {
		t.Fatalf("CreateOpsItem: %s %s", id, aws.ToString(out.OpsItemArn))
	}
	got, err := c.GetOpsItem(ctx(), &ssm.GetOpsItemInput{OpsItemId: &id})
	if err != nil {
		t.Fatal(err)
	}
	it := got.OpsItem
	if aws.ToString(it.Title) != "EC2 instance disk full" || it.Status != types.OpsItemStatusOpen || aws.ToInt32(it.Priority) != 2 ||
		aws.ToString(it.Source) != "ec2" || aws.ToString(it.OpsItemType) != "/aws/issue" || aws.ToString(it.Version) != "1" ||
		aws.ToString(it.Severity) != "2" || aws.ToString(it.Category) != "Availability" || it.CreatedTime == nil ||
		aws.ToString(it.CreatedBy) != "arn:aws:iam::123456789012:user/sandbox-user" || len(it.Notifications) != 1 ||
		it.OperationalData["EC2"].Type != types.OpsItemDataTypeSearchableString || aws.ToString(it.OperationalData["note"].Value) != "private" {
		t.Errorf("GetOpsItem: %+v", it)
	}
	if _, err := c.GetOpsItem(ctx(), &ssm.GetOpsItemInput{OpsItemId: aws.String("oi-000000000000")}); errorCode(err) != "OpsItemNotFoundException" {
		t.Errorf("GetOpsItem of a missing ID: %v", err)
	}
	if _, err := c.GetOpsItem(ctx(), &ssm.GetOpsItemInput{OpsItemId: aws.String("oi-xyz")}); errorCode(err) != "ValidationException" {
		t.Errorf("GetOpsItem of a malformed ID: %v", err)
	}
}

// The model's and OpsCenter's rules on CreateOpsItem.
func TestOpsItemCreateRules(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	related := make([]types.RelatedOpsItem, 11)
	for i := range related {
		related[i].OpsItemId = aws.String(fmt.Sprintf("oi-%012x", i))
	}
	for _, tc := range []struct {
		name string
		mod  func(*ssm.CreateOpsItemInput)
		code string
	}{
		{"blank title", func(in *ssm.CreateOpsItemInput) { in.Title = aws.String("  ") }, "ValidationException"},
		{"long title", func(in *ssm.CreateOpsItemInput) { in.Title = aws.String(strings.Repeat("t", 1025)) }, "ValidationException"},
		{"blank description", func(in *ssm.CreateOpsItemInput) { in.Description = aws.String(" \n") }, "ValidationException"},
		{"long description", func(in *ssm.CreateOpsItemInput) { in.Description = aws.String(strings.Repeat("d", 2049)) }, "ValidationException"},
		{"priority 6", func(in *ssm.CreateOpsItemInput) { in.Priority = aws.Int32(6) }, "ValidationException"},
		{"priority 0", func(in *ssm.CreateOpsItemInput) { in.Priority = aws.Int32(0) }, "ValidationException"},
		{"severity 5", func(in *ssm.CreateOpsItemInput) { in.Severity = aws.String("5") }, "OpsItemInvalidParameterException"},
		{"source aws", func(in *ssm.CreateOpsItemInput) { in.Source = aws.String("my-AWS-alarm") }, "OpsItemInvalidParameterException"},
		{"reserved data key", func(in *ssm.CreateOpsItemInput) {
			in.OperationalData = map[string]types.OpsItemDataValue{"ssm-x": {Value: aws.String("v")}}
		}, "OpsItemInvalidParameterException"},
		{"data value over 20 KB", func(in *ssm.CreateOpsItemInput) {
			in.OperationalData = map[string]types.OpsItemDataValue{"big": {Value: aws.String(strings.Repeat("v", 20*1024+1))}}
		}, "OpsItemInvalidParameterException"},
		{"dedup not JSON", func(in *ssm.CreateOpsItemInput) {
			in.OperationalData = map[string]types.OpsItemDataValue{"/aws/dedup": {Value: aws.String("disk")}}
		}, "OpsItemInvalidParameterException"},
		{"notification not SNS", func(in *ssm.CreateOpsItemInput) {
			in.Notifications = []types.OpsItemNotification{{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:q")}}
		}, "OpsItemInvalidParameterException"},
		{"11 related OpsItems", func(in *ssm.CreateOpsItemInput) { in.RelatedOpsItems = related }, "OpsItemLimitExceededException"},
	} {
		in := &ssm.CreateOpsItemInput{Title: aws.String("t"), Source: aws.String("ec2"), Description: aws.String("d")}
		tc.mod(in)
		if _, err := c.CreateOpsItem(ctx(), in); errorCode(err) != tc.code {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
		}
	}
	createOpsItem(t, c, "ten related", func(in *ssm.CreateOpsItemInput) { in.RelatedOpsItems = related[:10] })
}

// /aws/dedup: an open or in-progress OpsItem with the same string is the
// answer; a resolved one is not.
func TestOpsItemDedup(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	first := createOpsItem(t, c, "disk full", dedup("disk-full-i-1"))
	if again := createOpsItem(t, c, "disk full again", dedup("disk-full-i-1")); again != first {
		t.Errorf("dedup on an open OpsItem: %s, want %s", again, first)
	}
	if other := createOpsItem(t, c, "other", dedup("disk-full-i-2")); other == first {
		t.Error("another dedup string gave the same OpsItem")
	}
	if _, err := c.UpdateOpsItem(ctx(), &ssm.UpdateOpsItemInput{OpsItemId: &first, Status: types.OpsItemStatusInProgress}); err != nil {
		t.Fatal(err)
	}
	if again := createOpsItem(t, c, "disk full", dedup("disk-full-i-1")); again != first {
		t.Errorf("dedup on an in-progress OpsItem: %s, want %s", again, first)
	}
	if _, err := c.UpdateOpsItem(ctx(), &ssm.UpdateOpsItemInput{OpsItemId: &first, Status: types.OpsItemStatusResolved}); err != nil {
		t.Fatal(err)
	}
	if again := createOpsItem(t, c, "disk full", dedup("disk-full-i-1")); again == first {
		t.Error("dedup on a resolved OpsItem gave it back")
	}
	// The deduplication string can't be changed.
	_, err := c.UpdateOpsItem(ctx(), &ssm.UpdateOpsItemInput{OpsItemId: &first, OperationalData: map[string]types.OpsItemDataValue{
		"/aws/dedup": {Value: aws.String(`{"dedupString":"new"}`), Type: types.OpsItemDataTypeSearchableString}}})
	if errorCode(err) != "OpsItemInvalidParameterException" {
		t.Errorf("changing the dedup string: %v", err)
	}
}

func TestOpsItemUpdate(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	id := createOpsItem(t, c, "t", func(in *ssm.CreateOpsItemInput) {
		in.OperationalData = map[string]types.OpsItemDataValue{"a": {Value: aws.String("1")}, "b": {Value: aws.String("2")}}
	})
	_, err := c.UpdateOpsItem(ctx(), &ssm.UpdateOpsItemInput{OpsItemId: &id, Status: types.OpsItemStatusInProgress, Priority: aws.Int32(1),
		Title: aws.String("t2"), OperationalData: map[string]types.OpsItemDataValue{"c": {Value: aws.String("3"), Type: types.OpsItemDataTypeSearchableString}},
		OperationalDataToDelete: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetOpsItem(ctx(), &ssm.GetOpsItemInput{OpsItemId: &id})
	if err != nil {
		t.Fatal(err)
	}
	it := got.OpsItem
	_, hasA := it.OperationalData["a"]
	if it.Status != types.OpsItemStatusInProgress || aws.ToInt32(it.Priority) != 1 || aws.ToString(it.Title) != "t2" || hasA ||
		len(it.OperationalData) != 2 || aws.ToString(it.Version) != "2" || aws.ToString(it.Description) != "d" {
		t.Errorf("after UpdateOpsItem: %+v", it)
	}
	for _, tc := range []struct {
		in   ssm.UpdateOpsItemInput
		code string
	}{
		{ssm.UpdateOpsItemInput{OpsItemId: aws.String("oi-000000000000")}, "OpsItemNotFoundException"},
		{ssm.UpdateOpsItemInput{OpsItemId: &id, Status: "Done"}, "ValidationException"},
		{ssm.UpdateOpsItemInput{OpsItemId: &id, Status: types.OpsItemStatusApproved}, "OpsItemInvalidParameterException"},
		{ssm.UpdateOpsItemInput{OpsItemId: &id, Priority: aws.Int32(6)}, "ValidationException"},
	} {
		if _, err := c.UpdateOpsItem(ctx(), &tc.in); errorCode(err) != tc.code {
			t.Errorf("UpdateOpsItem %+v: %v, want %s", tc.in, err, tc.code)
		}
	}
}

func opsItemIDs(t *testing.T, c *ssm.Client, filters ...types.OpsItemFilter) []string {
	t.Helper()
	var ids []string
	p := ssm.NewDescribeOpsItemsPaginator(c, &ssm.DescribeOpsItemsInput{OpsItemFilters: filters, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatalf("DescribeOpsItems %+v: %v", filters, err)
		}
		for _, s := range page.OpsItemSummaries {
			ids = append(ids, aws.ToString(s.OpsItemId))
		}
	}
	return ids
}

func opsFilter(key types.OpsItemFilterKey, op types.OpsItemFilterOperator, values ...string) types.OpsItemFilter {
	return types.OpsItemFilter{Key: key, Operator: op, Values: values}
}

func TestOpsItemDescribe(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	a := createOpsItem(t, c, "EC2 instance disk full", func(in *ssm.CreateOpsItemInput) {
		in.Priority, in.Severity, in.Category = aws.Int32(2), aws.String("2"), aws.String("Availability")
		in.OperationalData = map[string]types.OpsItemDataValue{
			"EC2":            {Value: aws.String("1"), Type: types.OpsItemDataTypeSearchableString},
			"secret":         {Value: aws.String("hidden"), Type: types.OpsItemDataTypeString},
			"/aws/resources": {Value: aws.String(`[{"arn":"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"}]`), Type: types.OpsItemDataTypeSearchableString},
		}
	})
	b := createOpsItem(t, c, "Disk latency", func(in *ssm.CreateOpsItemInput) {
		in.Priority, in.Source, in.Severity, in.Category = aws.Int32(3), aws.String("rds"), aws.String("3"), aws.String("Performance")
	})
	cc := createOpsItem(t, c, "Cost spike", func(in *ssm.CreateOpsItemInput) { in.Source = aws.String("ssmctl") })
	if _, err := c.UpdateOpsItem(ctx(), &ssm.UpdateOpsItemInput{OpsItemId: &cc, Status: types.OpsItemStatusResolved}); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		f    []types.OpsItemFilter
		want []string
	}{
		{nil, []string{cc, b, a}},
		{[]types.OpsItemFilter{opsFilter("Status", "Equal", "Open")}, []string{b, a}},
		{[]types.OpsItemFilter{opsFilter("Status", "Equal", "Open", "Resolved")}, []string{cc, b, a}},
		{[]types.OpsItemFilter{opsFilter("Priority", "Equal", "2")}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("Severity", "Equal", "3")}, []string{b}},
		{[]types.OpsItemFilter{opsFilter("Category", "Equal", "Availability")}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("Source", "Equal", "ec2")}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("Source", "Contains", "ss")}, []string{cc}},
		{[]types.OpsItemFilter{opsFilter("Title", "Contains", "Disk")}, []string{b}},
		{[]types.OpsItemFilter{opsFilter("Title", "Equal", "Cost spike")}, []string{cc}},
		{[]types.OpsItemFilter{opsFilter("OpsItemId", "Equal", b)}, []string{b}},
		{[]types.OpsItemFilter{opsFilter("CreatedTime", "LessThan", future)}, []string{cc, b, a}},
		{[]types.OpsItemFilter{opsFilter("CreatedTime", "GreaterThan", future)}, nil},
		{[]types.OpsItemFilter{opsFilter("OperationalData", "Equal", `{"key":"EC2","value":"1"}`)}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("OperationalData", "Equal", `{"key":"secret","value":"hidden"}`)}, nil},
		{[]types.OpsItemFilter{opsFilter("OperationalDataKey", "Equal", "EC2")}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("OperationalDataValue", "Contains", "i-0abc")}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("ResourceId", "Contains", "i-0abc")}, []string{a}},
		{[]types.OpsItemFilter{opsFilter("Status", "Equal", "Open"), opsFilter("Priority", "Equal", "3")}, []string{b}},
	} {
		if got := opsItemIDs(t, c, tc.f...); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("DescribeOpsItems %+v: %v, want %v", tc.f, got, tc.want)
		}
	}
	out, err := c.DescribeOpsItems(ctx(), &ssm.DescribeOpsItemsInput{OpsItemFilters: []types.OpsItemFilter{opsFilter("OpsItemId", "Equal", a)}})
	if err != nil || len(out.OpsItemSummaries) != 1 || len(out.OpsItemSummaries[0].OperationalData) != 2 {
		t.Errorf("summaries show searchable data only: %+v %v", out, err)
	}
	for _, f := range []types.OpsItemFilter{
		opsFilter("Status", "Contains", "Open"),
		opsFilter("CreatedTime", "Equal", future),
		opsFilter("Priority", "GreaterThan", "1"),
		opsFilter("ResourceId", "Equal", "x"),
		opsFilter("Priority", "Equal", "high"),
		opsFilter("Title", "Equal", strings.Repeat("x", 101)),
		opsFilter("Nope", "Equal", "x"),
	} {
		if _, err := c.DescribeOpsItems(ctx(), &ssm.DescribeOpsItemsInput{OpsItemFilters: []types.OpsItemFilter{f}}); errorCode(err) != "ValidationException" {
			t.Errorf("DescribeOpsItems %+v: %v", f, err)
		}
	}
	for _, n := range []int32{0, 51} {
		if _, err := c.DescribeOpsItems(ctx(), &ssm.DescribeOpsItemsInput{MaxResults: aws.Int32(n)}); errorCode(err) != "ValidationException" {
			t.Errorf("MaxResults %d: %v", n, err)
		}
	}
	if _, err := c.DescribeOpsItems(ctx(), &ssm.DescribeOpsItemsInput{NextToken: aws.String("bm9wZQ==")}); errorCode(err) != "InvalidNextToken" {
		t.Errorf("a foreign NextToken: %v", err)
	}
}

func TestOpsItemRelatedItems(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	id := createOpsItem(t, c, "t")
	doc := "arn:aws:ssm:us-east-1:123456789012:document/Restart"
	out, err := c.AssociateOpsItemRelatedItem(ctx(), &ssm.AssociateOpsItemRelatedItemInput{OpsItemId: &id,
		AssociationType: aws.String("RelatesTo"), ResourceType: aws.String("AWS::SSM::Document"), ResourceUri: &doc})
	if err != nil {
		t.Fatal(err)
	}
	assoc := aws.ToString(out.AssociationId)
	_, err = c.AssociateOpsItemRelatedItem(ctx(), &ssm.AssociateOpsItemRelatedItemInput{OpsItemId: &id,
		AssociationType: aws.String("RelatesTo"), ResourceType: aws.String("AWS::SSM::Document"), ResourceUri: &doc})
	if errorCode(err) != "OpsItemRelatedItemAlreadyExistsException" {
		t.Errorf("associating twice: %v", err)
	}
	for _, in := range []ssm.AssociateOpsItemRelatedItemInput{
		{OpsItemId: &id, AssociationType: aws.String("Owns"), ResourceType: aws.String("AWS::SSM::Document"), ResourceUri: &doc},
		{OpsItemId: &id, AssociationType: aws.String("RelatesTo"), ResourceType: aws.String("AWS::EC2::Instance"), ResourceUri: aws.String("arn:aws:ec2:us-east-1:123456789012:instance/i-1")},
		{OpsItemId: &id, AssociationType: aws.String("RelatesTo"), ResourceType: aws.String("AWS::SSM::Document"), ResourceUri: aws.String("arn:aws:ec2:us-east-1:123456789012:instance/i-1")},
	} {
		if _, err := c.AssociateOpsItemRelatedItem(ctx(), &in); errorCode(err) != "OpsItemInvalidParameterException" {
			t.Errorf("AssociateOpsItemRelatedItem %+v: %v", in, err)
		}
	}
	list, err := c.ListOpsItemRelatedItems(ctx(), &ssm.ListOpsItemRelatedItemsInput{OpsItemId: &id})
	if err != nil || len(list.Summaries) != 1 || aws.ToString(list.Summaries[0].AssociationId) != assoc ||
		aws.ToString(list.Summaries[0].ResourceUri) != doc || list.Summaries[0].CreatedBy == nil {
		t.Fatalf("ListOpsItemRelatedItems: %+v %v", list, err)
	}
	if _, err := c.DisassociateOpsItemRelatedItem(ctx(), &ssm.DisassociateOpsItemRelatedItemInput{OpsItemId: &id, AssociationId: &assoc}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisassociateOpsItemRelatedItem(ctx(), &ssm.DisassociateOpsItemRelatedItemInput{OpsItemId: &id, AssociationId: &assoc}); errorCode(err) != "OpsItemRelatedItemAssociationNotFoundException" {
		t.Errorf("disassociating twice: %v", err)
	}
	if _, err := c.ListOpsItemRelatedItems(ctx(), &ssm.ListOpsItemRelatedItemsInput{}); errorCode(err) != "OpsItemInvalidParameterException" {
		t.Errorf("ListOpsItemRelatedItems without an ID: %v", err)
	}
}

// OpsCenter through the AWS CLI.
func TestAWSCLIOpsItems(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	var created struct{ OpsItemId, OpsItemArn string }
	awsCLI(t, s, &created, "ssm", "create-ops-item", "--title", "EC2 instance disk full",
		"--description", "Log clean up may have failed due to full disk", "--priority", "2", "--source", "ec2",
		"--operational-data", `{"EC2":{"Value":"1","Type":"SearchableString"},"/aws/dedup":{"Value":"{\"dedupString\":\"disk-full\"}","Type":"SearchableString"}}`,
		"--notifications", "Arn=arn:aws:sns:us-east-1:123456789012:ops", "--tags", "Key=EC2,Value=Prod")
	if !strings.HasPrefix(created.OpsItemId, "oi-") || !strings.HasSuffix(created.OpsItemArn, ":opsitem/"+created.OpsItemId) {
		t.Fatalf("create-ops-item: %+v", created)
	}
	var again struct{ OpsItemId string }
	awsCLI(t, s, &again, "ssm", "create-ops-item", "--title", "again", "--description", "d", "--source", "ec2",
		"--operational-data", `{"/aws/dedup":{"Value":"{\"dedupString\":\"disk-full\"}","Type":"SearchableString"}}`)
	if again.OpsItemId != created.OpsItemId {
		t.Errorf("create-ops-item with the same dedup string: %s, want %s", again.OpsItemId, created.OpsItemId)
	}
	var got struct {
		OpsItem struct {
			Title, Status, Version, OpsItemArn string
			Priority                           int
			OperationalData                    map[string]struct{ Value, Type string }
			Notifications                      []struct{ Arn string }
			CreatedTime                        any
		}
	}
	awsCLI(t, s, &got, "ssm", "get-ops-item", "--ops-item-id", created.OpsItemId)
	if got.OpsItem.Title != "EC2 instance disk full" || got.OpsItem.Priority != 2 || got.OpsItem.Status != "Open" ||
		got.OpsItem.OperationalData["EC2"].Type != "SearchableString" || len(got.OpsItem.Notifications) != 1 || got.OpsItem.CreatedTime == nil {
		t.Errorf("get-ops-item: %+v", got.OpsItem)
	}
	awsCLI(t, s, nil, "ssm", "update-ops-item", "--ops-item-id", created.OpsItemId, "--status", "InProgress")
	var described struct {
		OpsItemSummaries []struct{ OpsItemId, Status string }
	}
	awsCLI(t, s, &described, "ssm", "describe-ops-items", "--ops-item-filters",
		"Key=Status,Values=InProgress,Operator=Equal", "Key=Source,Values=ec,Operator=Contains", "--page-size", "1")
	if len(described.OpsItemSummaries) != 1 || described.OpsItemSummaries[0].OpsItemId != created.OpsItemId {
		t.Errorf("describe-ops-items: %+v", described)
	}
	var assoc struct{ AssociationId string }
	awsCLI(t, s, &assoc, "ssm", "associate-ops-item-related-item", "--ops-item-id", created.OpsItemId,
		"--association-type", "RelatesTo", "--resource-type", "AWS::SSM::Document",
		"--resource-uri", "arn:aws:ssm:us-east-1:123456789012:document/Restart")
	var related struct {
		Summaries []struct{ AssociationId, ResourceUri string }
	}
	awsCLI(t, s, &related, "ssm", "list-ops-item-related-items", "--ops-item-id", created.OpsItemId)
	if len(related.Summaries) != 1 || related.Summaries[0].AssociationId != assoc.AssociationId {
		t.Errorf("list-ops-item-related-items: %+v", related)
	}
}

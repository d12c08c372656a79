package opsitems

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Tag is one tag of a new OpsItem.
type Tag struct{ Key, Value string }

// NewItem is what create asks for.
type NewItem struct {
	Title, Source, Description string
	Priority, Severity         int // 0: not set
	Category, Type             string
	Data                       map[string]Data
	Notify                     []string
	Tags                       []Tag
	Related                    []string // OpsItem IDs
	Resources                  []string // ARNs, in /aws/resources
	Dedup                      string
}

// Check checks every value, before any call.
func (n *NewItem) Check() error {
	if err := CheckTitle(n.Title); err != nil {
		return err
	}
	if err := CheckSource(n.Source); err != nil {
		return err
	}
	if err := CheckDescription(n.Description); err != nil {
		return err
	}
	if n.Priority != 0 {
		if err := CheckPriority(n.Priority); err != nil {
			return err
		}
	}
	if n.Severity != 0 {
		if err := CheckSeverity(n.Severity); err != nil {
			return err
		}
	}
	if n.Category != "" {
		if err := CheckCategory(n.Category); err != nil {
			return err
		}
	}
	return checkLists(n.Notify, n.Related, n.Resources)
}

func checkLists(notify, related, resources []string) error {
	for _, a := range notify {
		if err := CheckSNSTopic(a); err != nil {
			return err
		}
	}
	for _, id := range related {
		if err := CheckID(id); err != nil {
			return err
		}
	}
	if len(related) > MaxRelated {
		return usage("%s: an OpsItem has at most %d", plural(len(related), "related OpsItem", "related OpsItems"), MaxRelated)
	}
	for _, a := range resources {
		if err := CheckARN(a); err != nil {
			return err
		}
	}
	if len(resources) > MaxResources {
		return usage("%s: an OpsItem lists at most %d", plural(len(resources), "related resource", "related resources"), MaxResources)
	}
	return nil
}

// Created is what create did: the OpsItem's ID and ARN, and whether AWS
// answered with an existing open OpsItem of the same deduplication string.
type Created struct {
	ID, ARN  string
	Existing bool
}

func dataWire(data map[string]Data) map[string]types.OpsItemDataValue {
	if len(data) == 0 {
		return nil
	}
	out := make(map[string]types.OpsItemDataValue, len(data))
	for k, d := range data {
		t := types.OpsItemDataTypeString
		if d.Searchable {
			t = types.OpsItemDataTypeSearchableString
		}
		out[k] = types.OpsItemDataValue{Value: aws.String(d.Value), Type: t}
	}
	return out
}

func notificationsWire(arns []string) []types.OpsItemNotification {
	var out []types.OpsItemNotification
	for _, a := range arns {
		out = append(out, types.OpsItemNotification{Arn: aws.String(a)})
	}
	return out
}

func relatedWire(ids []string) []types.RelatedOpsItem {
	var out []types.RelatedOpsItem
	for _, id := range ids {
		out = append(out, types.RelatedOpsItem{OpsItemId: aws.String(id)})
	}
	return out
}

// Create creates an OpsItem. With a deduplication string, AWS answers
// with the ID of an Open or InProgress OpsItem of the same string instead
// of creating one; Create finds those first, so it can tell which
// happened.
func (c *Client) Create(ctx context.Context, n NewItem) (Created, error) {
	data := map[string]Data{}
	for k, d := range n.Data {
		data[k] = d
	}
	if len(n.Resources) > 0 {
		data[ResourcesKey] = Data{Value: resourcesValue(n.Resources), Searchable: true}
	}
	var open []string
	if n.Dedup != "" {
		data[DedupKey] = Data{Value: dedupValue(n.Dedup), Searchable: true}
		sums, err := c.List(ctx, Filter{Statuses: []string{"Open", "InProgress"}, Data: []KeyValue{{DedupKey, dedupValue(n.Dedup)}}})
		if err != nil {
			return Created{}, err
		}
		for _, s := range sums {
			open = append(open, s.ID)
		}
	}
	in := &ssm.CreateOpsItemInput{
		Title: aws.String(n.Title), Source: aws.String(n.Source), Description: aws.String(n.Description),
		OperationalData: dataWire(data), Notifications: notificationsWire(n.Notify), RelatedOpsItems: relatedWire(n.Related),
	}
	if n.Priority != 0 {
		in.Priority = aws.Int32(int32(n.Priority))
	}
	if n.Severity != 0 {
		in.Severity = aws.String(Severity(n.Severity))
	}
	if n.Category != "" {
		in.Category = aws.String(n.Category)
	}
	if n.Type != "" {
		in.OpsItemType = aws.String(n.Type)
	}
	for _, t := range n.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	out, err := c.API.CreateOpsItem(ctx, in)
	if err != nil {
		return Created{}, err
	}
	id := aws.ToString(out.OpsItemId)
	return Created{ID: id, ARN: aws.ToString(out.OpsItemArn), Existing: slices.Contains(open, id)}, nil
}

// Item is an OpsItem as GetOpsItem answers it, with its related items.
type Item struct {
	ID, ARN, Title, Description, Source, Status, Type string
	Category, Severity, Version                       string
	Priority                                          int32
	Data                                              map[string]Data
	Notifications                                     []string
	RelatedOpsItems                                   []string
	Resources                                         []string // /aws/resources
	RelatedItems                                      []RelatedItem
	CreatedBy, LastModifiedBy                         string
	Created, LastModified                             time.Time
}

// Get reads an OpsItem and its related items.
func (c *Client) Get(ctx context.Context, id string) (*Item, error) {
	out, err := c.API.GetOpsItem(ctx, &ssm.GetOpsItemInput{OpsItemId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	o := out.OpsItem
	it := &Item{
		ID: aws.ToString(o.OpsItemId), ARN: aws.ToString(o.OpsItemArn), Title: aws.ToString(o.Title),
		Description: aws.ToString(o.Description), Source: aws.ToString(o.Source), Status: string(o.Status),
		Type: aws.ToString(o.OpsItemType), Category: aws.ToString(o.Category), Severity: aws.ToString(o.Severity),
		Version: aws.ToString(o.Version), Priority: aws.ToInt32(o.Priority), Data: dataOf(o.OperationalData),
		CreatedBy: aws.ToString(o.CreatedBy), LastModifiedBy: aws.ToString(o.LastModifiedBy),
		Created: aws.ToTime(o.CreatedTime), LastModified: aws.ToTime(o.LastModifiedTime),
	}
	for _, n := range o.Notifications {
		it.Notifications = append(it.Notifications, aws.ToString(n.Arn))
	}
	for _, r := range o.RelatedOpsItems {
		it.RelatedOpsItems = append(it.RelatedOpsItems, aws.ToString(r.OpsItemId))
	}
	if d, ok := it.Data[ResourcesKey]; ok {
		it.Resources = resourceARNs(d.Value)
	}
	if it.RelatedItems, err = c.Related(ctx, id); err != nil {
		return nil, err
	}
	return it, nil
}

func dataOf(m map[string]types.OpsItemDataValue) map[string]Data {
	out := make(map[string]Data, len(m))
	for k, v := range m {
		out[k] = Data{Value: aws.ToString(v.Value), Searchable: v.Type == types.OpsItemDataTypeSearchableString}
	}
	return out
}

// DataKeys are a data map's keys, sorted.
func DataKeys(m map[string]Data) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Change is what update asks for; zero values change nothing.
type Change struct {
	Status                       string
	Priority, Severity           int
	Title, Description, Category string
	Data                         map[string]Data
	RemoveData                   []string
	Related                      []string // OpsItem IDs to add
	Resources                    []string // ARNs to add to /aws/resources
	Notify                       []string // SNS topics to add
}

// Check checks every value, before any call.
func (ch *Change) Check() error {
	if ch.Status != "" {
		s, err := CheckStatus(ch.Status)
		if err != nil {
			return err
		}
		ch.Status = s
	}
	if ch.Priority != 0 {
		if err := CheckPriority(ch.Priority); err != nil {
			return err
		}
	}
	if ch.Severity != 0 {
		if err := CheckSeverity(ch.Severity); err != nil {
			return err
		}
	}
	if ch.Title != "" {
		if err := CheckTitle(ch.Title); err != nil {
			return err
		}
	}
	if ch.Description != "" {
		if err := CheckDescription(ch.Description); err != nil {
			return err
		}
	}
	if ch.Category != "" {
		if err := CheckCategory(ch.Category); err != nil {
			return err
		}
	}
	for _, k := range ch.RemoveData {
		if err := CheckDataKey(k); err != nil {
			return err
		}
	}
	return checkLists(ch.Notify, ch.Related, ch.Resources)
}

// Update changes an OpsItem. UpdateOpsItem replaces the lists it is
// given (related OpsItems, notifications), so added ones are merged with
// the OpsItem's current ones, read first.
func (c *Client) Update(ctx context.Context, id string, ch Change) error {
	in := &ssm.UpdateOpsItemInput{OpsItemId: aws.String(id), OperationalDataToDelete: ch.RemoveData}
	data := map[string]Data{}
	for k, d := range ch.Data {
		data[k] = d
	}
	if len(ch.Related) > 0 || len(ch.Resources) > 0 || len(ch.Notify) > 0 {
		cur, err := c.API.GetOpsItem(ctx, &ssm.GetOpsItemInput{OpsItemId: aws.String(id)})
		if err != nil {
			return err
		}
		o := cur.OpsItem
		if len(ch.Related) > 0 {
			ids := make([]string, 0, len(o.RelatedOpsItems)+len(ch.Related))
			for _, r := range o.RelatedOpsItems {
				ids = append(ids, aws.ToString(r.OpsItemId))
			}
			ids = union(ids, ch.Related)
			if len(ids) > MaxRelated {
				return usage("%s has %s; adding %d would make %d: an OpsItem has at most %d",
					id, plural(len(o.RelatedOpsItems), "related OpsItem", "related OpsItems"), len(ch.Related), len(ids), MaxRelated)
			}
			in.RelatedOpsItems = relatedWire(ids)
		}
		if len(ch.Notify) > 0 {
			arns := make([]string, 0, len(o.Notifications)+len(ch.Notify))
			for _, n := range o.Notifications {
				arns = append(arns, aws.ToString(n.Arn))
			}
			in.Notifications = notificationsWire(union(arns, ch.Notify))
		}
		if len(ch.Resources) > 0 {
			var arns []string
			if d, ok := o.OperationalData[ResourcesKey]; ok {
				arns = resourceARNs(aws.ToString(d.Value))
			}
			arns = union(arns, ch.Resources)
			if len(arns) > MaxResources {
				return usage("%s would list %d related resources: an OpsItem lists at most %d", id, len(arns), MaxResources)
			}
			data[ResourcesKey] = Data{Value: resourcesValue(arns), Searchable: true}
		}
	}
	in.OperationalData = dataWire(data)
	if ch.Status != "" {
		in.Status = types.OpsItemStatus(ch.Status)
	}
	if ch.Priority != 0 {
		in.Priority = aws.Int32(int32(ch.Priority))
	}
	if ch.Severity != 0 {
		in.Severity = aws.String(Severity(ch.Severity))
	}
	if ch.Title != "" {
		in.Title = aws.String(ch.Title)
	}
	if ch.Description != "" {
		in.Description = aws.String(ch.Description)
	}
	if ch.Category != "" {
		in.Category = aws.String(ch.Category)
	}
	_, err := c.API.UpdateOpsItem(ctx, in)
	return err
}

// union is a followed by the elements of b it does not hold.
func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

// Resolve sets an OpsItem's status to Resolved and, with a note, records
// the note in its operational data under NoteKey, in the same call.
func (c *Client) Resolve(ctx context.Context, id, note string) error {
	ch := Change{Status: "Resolved"}
	if note != "" {
		ch.Data = map[string]Data{NoteKey: {Value: note}}
	}
	return c.Update(ctx, id, ch)
}

// KeyValue is one --data key=value of ls.
type KeyValue struct{ Key, Value string }

// Filter is what ls asks for; zero values filter nothing.
type Filter struct {
	Statuses           []string
	Priority, Severity int
	Source, Category   string
	TitleContains      string
	CreatedAfter       time.Time
	Data               []KeyValue // searchable operational data, key=value
	Limit              int        // 0: all
}

func filter(key types.OpsItemFilterKey, op types.OpsItemFilterOperator, values ...string) types.OpsItemFilter {
	return types.OpsItemFilter{Key: key, Operator: op, Values: values}
}

// filters are DescribeOpsItems's filters for f, each key with the
// operator AWS allows it.
func (f Filter) filters() []types.OpsItemFilter {
	var out []types.OpsItemFilter
	eq, contains := types.OpsItemFilterOperatorEqual, types.OpsItemFilterOperatorContains
	if len(f.Statuses) > 0 {
		out = append(out, filter(types.OpsItemFilterKeyStatus, eq, f.Statuses...))
	}
	if f.Priority != 0 {
		out = append(out, filter(types.OpsItemFilterKeyPriority, eq, Severity(f.Priority)))
	}
	if f.Severity != 0 {
		out = append(out, filter(types.OpsItemFilterKeySeverity, eq, Severity(f.Severity)))
	}
	if f.Source != "" {
		out = append(out, filter(types.OpsItemFilterKeySource, eq, f.Source))
	}
	if f.Category != "" {
		out = append(out, filter(types.OpsItemFilterKeyCategory, eq, f.Category))
	}
	if f.TitleContains != "" {
		out = append(out, filter(types.OpsItemFilterKeyTitle, contains, f.TitleContains))
	}
	if !f.CreatedAfter.IsZero() {
		out = append(out, filter(types.OpsItemFilterKeyCreatedTime, types.OpsItemFilterOperatorGreaterThan, f.CreatedAfter.UTC().Format(time.RFC3339)))
	}
	for _, kv := range f.Data {
		b, _ := json.Marshal(map[string]string{"key": kv.Key, "value": kv.Value})
		out = append(out, filter(types.OpsItemFilterKeyOperationalData, eq, string(b)))
	}
	return out
}

// Summary is one OpsItem as DescribeOpsItems answers it.
type Summary struct {
	ID, Title, Status, Source, Category, Severity, Type string
	Priority                                            int32
	Data                                                map[string]Data // searchable data only
	CreatedBy, LastModifiedBy                           string
	Created, LastModified                               time.Time
}

// List lists the OpsItems f selects, following NextToken, up to f.Limit.
func (c *Client) List(ctx context.Context, f Filter) ([]Summary, error) {
	in := &ssm.DescribeOpsItemsInput{OpsItemFilters: f.filters(), MaxResults: aws.Int32(50)}
	var out []Summary
	p := ssm.NewDescribeOpsItemsPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.OpsItemSummaries {
			out = append(out, Summary{
				ID: aws.ToString(s.OpsItemId), Title: aws.ToString(s.Title), Status: string(s.Status),
				Source: aws.ToString(s.Source), Category: aws.ToString(s.Category), Severity: aws.ToString(s.Severity),
				Type: aws.ToString(s.OpsItemType), Priority: aws.ToInt32(s.Priority), Data: dataOf(s.OperationalData),
				CreatedBy: aws.ToString(s.CreatedBy), LastModifiedBy: aws.ToString(s.LastModifiedBy),
				Created: aws.ToTime(s.CreatedTime), LastModified: aws.ToTime(s.LastModifiedTime),
			})
			if f.Limit > 0 && len(out) == f.Limit {
				return out, nil
			}
		}
	}
	return out, nil
}

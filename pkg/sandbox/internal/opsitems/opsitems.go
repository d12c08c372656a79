package opsitems

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// CreateOpsItem, GetOpsItem and UpdateOpsItem.

type createInput struct {
	fields
	Source      *string     `json:"Source"`
	OpsItemType *string     `json:"OpsItemType"`
	Tags        []tags.Wire `json:"Tags"`
	AccountId   *string     `json:"AccountId"`
}

type createOutput struct {
	OpsItemId  string `json:"OpsItemId"`
	OpsItemArn string `json:"OpsItemArn"`
}

func (a *Area) createOpsItem(in *createInput) (*createOutput, error) {
	var v protocol.Validator
	v.Required("description", in.Description != nil)
	v.Required("source", in.Source != nil)
	v.Required("title", in.Title != nil)
	in.validate(&v)
	if in.Source != nil {
		checkLine(&v, "source", *in.Source, 1, 128)
	}
	validateTags(&v, in.Tags)
	if in.AccountId != nil {
		v.Pattern("accountId", *in.AccountId, accountPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkSource(*in.Source); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.AccountId != nil && *in.AccountId != a.h.AccountID {
		return nil, errInvalidParameter("AccountId %s isn't set up to work with OpsItems across accounts.", *in.AccountId)
	}
	dedup := ""
	if d, ok := in.OperationalData[keyDedup]; ok {
		dedup, _ = dedupString(*d.Value)
	}
	typ := "/aws/issue"
	if in.OpsItemType != nil && *in.OpsItemType != "" {
		typ = *in.OpsItemType
	}
	now := a.h.Clock()
	var out createOutput
	err := a.mutate(func(st *state) error {
		if dedup != "" {
			// "If the status of an existing OpsItem is open or in
			// progress, the OpsItem is not created": the existing one's ID
			// is the answer.
			for _, it := range st.Items {
				if it.Dedup == dedup && (it.Status == "Open" || it.Status == "InProgress") {
					out = createOutput{OpsItemId: it.ID, OpsItemArn: a.arn(it.ID)}
					return nil
				}
			}
		}
		it := &opsItem{
			ID: newOpsItemID(), Title: *in.Title, Description: *in.Description, Source: *in.Source,
			Type: typ, Status: "Open", Priority: in.Priority,
			CreatedBy: a.h.CallerARN(), LastModifiedBy: a.h.CallerARN(), Created: now, Modified: now,
			Version: 1, Dedup: dedup,
		}
		for st.byID[it.ID] != nil {
			it.ID = newOpsItemID()
		}
		it.apply(&in.fields)
		if len(in.Tags) > 0 {
			it.Tags = map[string]string{}
			for _, t := range in.Tags {
				it.Tags[*t.Key] = *t.Value
			}
		}
		st.Items = append(st.Items, it)
		st.byID[it.ID] = it
		out = createOutput{OpsItemId: it.ID, OpsItemArn: a.arn(it.ID)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// apply sets the members a request carries.
func (it *opsItem) apply(f *fields) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&it.Title, f.Title)
	set(&it.Description, f.Description)
	set(&it.Category, f.Category)
	set(&it.Severity, f.Severity)
	if f.Priority != nil {
		it.Priority = f.Priority
	}
	for k, d := range f.OperationalData {
		if it.OperationalData == nil {
			it.OperationalData = map[string]dataItem{}
		}
		typ := plain
		if d.Type != nil {
			typ = *d.Type
		}
		it.OperationalData[k] = dataItem{Value: *d.Value, Type: typ}
	}
	if f.Notifications != nil {
		it.Notifications = []string{}
		for _, n := range f.Notifications {
			it.Notifications = append(it.Notifications, *n.Arn)
		}
	}
	if f.RelatedOpsItems != nil {
		it.RelatedOpsItems = []string{}
		for _, r := range f.RelatedOpsItems {
			if !slices.Contains(it.RelatedOpsItems, *r.OpsItemId) {
				it.RelatedOpsItems = append(it.RelatedOpsItems, *r.OpsItemId)
			}
		}
	}
	setTime := func(dst **time.Time, src *protocol.EpochTime) {
		if src != nil {
			t := time.Time(*src)
			*dst = &t
		}
	}
	setTime(&it.ActualStartTime, f.ActualStartTime)
	setTime(&it.ActualEndTime, f.ActualEndTime)
	setTime(&it.PlannedStartTime, f.PlannedStartTime)
	setTime(&it.PlannedEndTime, f.PlannedEndTime)
}

type getInput struct {
	OpsItemId  *string `json:"OpsItemId"`
	OpsItemArn *string `json:"OpsItemArn"`
}

type getOutput struct {
	OpsItem opsItemWire `json:"OpsItem"`
}

type dataWire struct {
	Value string `json:"Value"`
	Type  string `json:"Type"`
}

type notificationOut struct {
	Arn string `json:"Arn"`
}

type relatedOpsItemOut struct {
	OpsItemId string `json:"OpsItemId"`
}

type opsItemWire struct {
	CreatedBy        string              `json:"CreatedBy"`
	OpsItemType      string              `json:"OpsItemType"`
	CreatedTime      *protocol.EpochTime `json:"CreatedTime"`
	Description      string              `json:"Description"`
	LastModifiedBy   string              `json:"LastModifiedBy"`
	LastModifiedTime *protocol.EpochTime `json:"LastModifiedTime"`
	Notifications    []notificationOut   `json:"Notifications"`
	Priority         *int32              `json:"Priority,omitempty"`
	RelatedOpsItems  []relatedOpsItemOut `json:"RelatedOpsItems"`
	Status           string              `json:"Status"`
	OpsItemId        string              `json:"OpsItemId"`
	Version          string              `json:"Version"`
	Title            string              `json:"Title"`
	Source           string              `json:"Source"`
	OperationalData  map[string]dataWire `json:"OperationalData"`
	Category         string              `json:"Category,omitempty"`
	Severity         string              `json:"Severity,omitempty"`
	ActualStartTime  *protocol.EpochTime `json:"ActualStartTime,omitempty"`
	ActualEndTime    *protocol.EpochTime `json:"ActualEndTime,omitempty"`
	PlannedStartTime *protocol.EpochTime `json:"PlannedStartTime,omitempty"`
	PlannedEndTime   *protocol.EpochTime `json:"PlannedEndTime,omitempty"`
	OpsItemArn       string              `json:"OpsItemArn"`
}

func epochPtr(t *time.Time) *protocol.EpochTime {
	if t == nil {
		return nil
	}
	return protocol.Epoch(*t)
}

// data is the operational data as an answer carries it; searchableOnly
// keeps only the SearchableString entries (what DescribeOpsItems shows).
func (it *opsItem) data(searchableOnly bool) map[string]dataWire {
	out := map[string]dataWire{}
	for k, d := range it.OperationalData {
		if searchableOnly && d.Type != searchable {
			continue
		}
		out[k] = dataWire(d)
	}
	return out
}

func (a *Area) wire(it *opsItem) opsItemWire {
	w := opsItemWire{
		CreatedBy: it.CreatedBy, OpsItemType: it.Type, CreatedTime: protocol.Epoch(it.Created),
		Description: it.Description, LastModifiedBy: it.LastModifiedBy, LastModifiedTime: protocol.Epoch(it.Modified),
		Notifications: []notificationOut{}, Priority: it.Priority, RelatedOpsItems: []relatedOpsItemOut{},
		Status: it.Status, OpsItemId: it.ID, Version: strconv.Itoa(it.Version), Title: it.Title, Source: it.Source,
		OperationalData: it.data(false), Category: it.Category, Severity: it.Severity,
		ActualStartTime: epochPtr(it.ActualStartTime), ActualEndTime: epochPtr(it.ActualEndTime),
		PlannedStartTime: epochPtr(it.PlannedStartTime), PlannedEndTime: epochPtr(it.PlannedEndTime),
		OpsItemArn: a.arn(it.ID),
	}
	for _, n := range it.Notifications {
		w.Notifications = append(w.Notifications, notificationOut{Arn: n})
	}
	for _, r := range it.RelatedOpsItems {
		w.RelatedOpsItems = append(w.RelatedOpsItems, relatedOpsItemOut{OpsItemId: r})
	}
	return w
}

// validateID checks a required OpsItemId member.
func validateID(v *protocol.Validator, id *string) {
	if v.Required("opsItemId", id != nil) {
		v.Pattern("opsItemId", *id, opsItemIDPattern)
	}
}

func (a *Area) getOpsItem(in *getInput) (*getOutput, error) {
	var v protocol.Validator
	validateID(&v, in.OpsItemId)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out getOutput
	err := error(errNotFound(*in.OpsItemId))
	a.view(func(st *state) {
		if it := st.byID[*in.OpsItemId]; it != nil {
			out.OpsItem, err = a.wire(it), nil
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type updateInput struct {
	fields
	OpsItemId               *string  `json:"OpsItemId"`
	OpsItemArn              *string  `json:"OpsItemArn"`
	Status                  *string  `json:"Status"`
	OperationalDataToDelete []string `json:"OperationalDataToDelete"`
}

func (a *Area) updateOpsItem(in *updateInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateID(&v, in.OpsItemId)
	in.validate(&v)
	if in.Status != nil {
		v.Enum("status", *in.Status, statuses...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	err := a.mutate(func(st *state) error {
		it := st.byID[*in.OpsItemId]
		if it == nil {
			return errNotFound(*in.OpsItemId)
		}
		if in.Status != nil && it.Type != typeChangeRequest && !slices.Contains(issueStatuses, *in.Status) {
			return errInvalidParameter("Status %s isn't valid for an OpsItem of type %s: use Open, InProgress or Resolved.", *in.Status, it.Type)
		}
		// "After you create an OpsItem, you can't edit or change the
		// deduplication strings in that OpsItem."
		if d, ok := in.OperationalData[keyDedup]; ok {
			if s, _ := dedupString(*d.Value); s != it.Dedup {
				return errInvalidParameter(`The deduplication string (OperationalData "/aws/dedup") of an OpsItem can't be changed.`)
			}
		}
		if slices.Contains(in.OperationalDataToDelete, keyDedup) && it.Dedup != "" {
			return errInvalidParameter(`The deduplication string (OperationalData "/aws/dedup") of an OpsItem can't be removed.`)
		}
		next := *it
		next.OperationalData = maps.Clone(it.OperationalData)
		next.apply(&in.fields)
		for _, k := range in.OperationalDataToDelete {
			delete(next.OperationalData, k)
		}
		if in.Status != nil {
			next.Status = *in.Status
		}
		next.Version++
		next.Modified = now
		next.LastModifiedBy = a.h.CallerARN()
		*it = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// Package opsitems is the sandbox's OpsCenter: OpsItems (their fields,
// operational data, notifications, related OpsItems, tags and
// deduplication strings) and their related items, in the state file's
// "opsItems".
package opsitems

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is OpsCenter.
type Area struct {
	h   *area.Host
	sec *store.Section // guards items and byID
	st  *state
}

type state struct {
	Items []*opsItem // in creation order
	byID  map[string]*opsItem
}

// opsItem is one OpsItem as the state file holds it.
type opsItem struct {
	ID               string
	Title            string
	Description      string
	Source           string
	Type             string
	Status           string
	Category         string              `json:",omitempty"`
	Severity         string              `json:",omitempty"`
	Priority         *int32              `json:",omitempty"`
	OperationalData  map[string]dataItem `json:",omitempty"`
	Notifications    []string            `json:",omitempty"`
	RelatedOpsItems  []string            `json:",omitempty"`
	Tags             map[string]string   `json:",omitempty"`
	CreatedBy        string
	LastModifiedBy   string
	Created          time.Time
	Modified         time.Time
	Version          int
	Dedup            string         `json:",omitempty"` // the /aws/dedup dedupString
	ActualStartTime  *time.Time     `json:",omitempty"`
	ActualEndTime    *time.Time     `json:",omitempty"`
	PlannedStartTime *time.Time     `json:",omitempty"`
	PlannedEndTime   *time.Time     `json:",omitempty"`
	Related          []*relatedItem `json:",omitempty"`
}

type dataItem struct {
	Value string
	Type  string
}

// relatedItem is one AssociateOpsItemRelatedItem association.
type relatedItem struct {
	AssociationID   string
	AssociationType string
	ResourceType    string
	ResourceURI     string
	CreatedBy       string
	Created         time.Time
}

// New loads the OpsItems from the state file, or starts with none, and
// registers OpsCenter's operations.
func New(h *area.Host) (*Area, error) {
	a := &Area{h: h, st: &state{}}
	if err := h.Store.Load("opsItems", &a.st.Items); err != nil {
		return nil, err
	}
	a.st.byID = make(map[string]*opsItem, len(a.st.Items))
	for _, it := range a.st.Items {
		if !opsItemIDPattern.MatchString(it.ID) {
			return nil, h.Store.Corrupt(fmt.Errorf("OpsItem ID %q is not valid", it.ID))
		}
		a.st.byID[it.ID] = it
	}
	a.sec = h.Section(func() []store.Member {
		return []store.Member{{Key: "opsItems", Value: a.st.Items}}
	})

	r := h.Router
	r.Register(router.SSM, "CreateOpsItem", router.Handle(a.createOpsItem))
	r.Register(router.SSM, "GetOpsItem", router.Handle(a.getOpsItem))
	r.Register(router.SSM, "UpdateOpsItem", router.Handle(a.updateOpsItem))
	r.Register(router.SSM, "DescribeOpsItems", router.Handle(a.describeOpsItems))
	r.Register(router.SSM, "AssociateOpsItemRelatedItem", router.Handle(a.associateRelatedItem))
	r.Register(router.SSM, "DisassociateOpsItemRelatedItem", router.Handle(a.disassociateRelatedItem))
	r.Register(router.SSM, "ListOpsItemRelatedItems", router.Handle(a.listRelatedItems))
	return a, nil
}

// OpsItemId's pattern in the model.
var opsItemIDPattern = lazyre.New(`^(oi)-[0-9a-f]{12}$`)

func newOpsItemID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "oi-" + hex.EncodeToString(b)
}

func (a *Area) arn(id string) string { return a.h.ARN("ssm", a.h.Region, "opsitem/"+id) }

func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// AddTags runs merge on an OpsItem's tags (the tag operations'
// ResourceId is the OpsItem's ID) and saves what it returns. An unknown
// ID is InvalidResourceId.
func (a *Area) AddTags(id string, merge func(tags map[string]string) (map[string]string, error)) error {
	return a.mutate(func(st *state) error {
		it := st.byID[id]
		if it == nil {
			return protocol.ErrInvalidResourceID()
		}
		t, err := merge(it.Tags)
		if err != nil {
			return err
		}
		it.Tags = t
		return nil
	})
}

// RemoveTags deletes an OpsItem's tags by key and saves.
func (a *Area) RemoveTags(id string, keys []string) error {
	return a.AddTags(id, func(t map[string]string) (map[string]string, error) {
		for _, k := range keys {
			delete(t, k)
		}
		return t, nil
	})
}

// Tags are an OpsItem's tags (a copy).
func (a *Area) Tags(id string) (map[string]string, error) {
	var out map[string]string
	err := protocol.ErrInvalidResourceID()
	a.view(func(st *state) {
		if it := st.byID[id]; it != nil {
			out, err = maps.Clone(it.Tags), nil
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

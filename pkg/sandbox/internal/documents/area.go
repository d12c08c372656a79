// Package documents is the sandbox's SSM documents, every type (Command,
// Session, ...): the AWS-owned catalogue, the account's own documents and
// their versions (the state file's "documents"), parsing, parameters and
// their typing. Run Command and Session Manager look documents up here.
package documents

import (
	"fmt"
	"sort"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is the documents service.
type Area struct {
	h   *area.Host
	sec *store.Section // guards st
	st  *state
}

// state is the documents' part of the state file: the account's own
// documents (the AWS-owned ones are built in).
type state struct {
	Documents []*document
}

// New loads the account's documents from the state file and registers
// the document operations.
func New(h *area.Host) (*Area, error) {
	a := &Area{h: h, st: &state{}}
	if err := h.Store.Load("documents", &a.st.Documents); err != nil {
		return nil, err
	}
	if err := a.st.restore(); err != nil {
		return nil, h.Store.Corrupt(err)
	}
	a.sec = h.Section(func() []store.Member { return []store.Member{{Key: "documents", Value: a.st.Documents}} })

	r := h.Router
	r.Register(router.SSM, "CreateDocument", router.Handle(a.createDocument))
	r.Register(router.SSM, "UpdateDocument", router.Handle(a.updateDocument))
	r.Register(router.SSM, "DeleteDocument", router.Handle(a.deleteDocument))
	r.Register(router.SSM, "DescribeDocument", router.Handle(a.describeDocument))
	r.Register(router.SSM, "GetDocument", router.Handle(a.getDocument))
	r.Register(router.SSM, "ListDocuments", router.Handle(a.listDocuments))
	r.Register(router.SSM, "ListDocumentVersions", router.Handle(a.listDocumentVersions))
	r.Register(router.SSM, "UpdateDocumentDefaultVersion", router.Handle(a.updateDocumentDefaultVersion))
	return a, nil
}

// restore parses what a state file holds: the parsed content is not
// persisted.
func (st *state) restore() error {
	for _, d := range st.Documents {
		if len(d.Versions) == 0 {
			return fmt.Errorf("document %s has no versions", d.Name)
		}
		for _, v := range d.Versions {
			c, err := parseContent(d.DocumentType, v.Content, v.Format)
			if err != nil {
				return fmt.Errorf("document %s version %d: %s", d.Name, v.Version, err.Message)
			}
			v.parsed = c
		}
	}
	return nil
}

// view runs fn with the documents locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the documents locked and, if fn succeeds, saves
// them.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// Found is one version of a document, as Run Command and Session Manager
// use it. Content is parsed once and never changed, so it may be shared.
type Found struct {
	Name         string
	DocumentType string
	Version      int
	Hash         string
	Content      *Content
}

// Find looks a document up by name or ARN and picks a version by number,
// $LATEST, $DEFAULT (the default when empty) or version name. ok is false
// when there is no such document; err is InvalidDocumentVersion when it
// has no such version (f then names the document and its type only).
func (a *Area) Find(name, version, versionName string) (f Found, ok bool, err error) {
	a.view(func(st *state) {
		d := st.findDocument(name)
		if d == nil {
			return
		}
		ok = true
		f = Found{Name: d.Name, DocumentType: d.DocumentType}
		var v *documentVersion
		if v, err = resolveVersion(d, version, versionName); err == nil {
			f.Version, f.Hash, f.Content = v.Version, v.Hash, v.parsed
		}
	})
	return f, ok, err
}

// Legacy says whether an AWS-owned document is a schema 1.2 one
// (runtimeConfig instead of mainSteps).
func Legacy(name string) bool {
	d := awsDocuments()[name]
	return d != nil && d.latest().parsed.Legacy
}

// AWSOwned names the AWS-owned documents the sandbox has built in.
func AWSOwned() []string {
	names := make([]string, 0, len(awsDocuments()))
	for name := range awsDocuments() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

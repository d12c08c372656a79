package documents

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// ListDocuments: filters and matching.

// documentOwnerValues are the values of ListDocuments' Owner filter (the
// Filters documentation: "Owner"; ListDocuments in the AWS CLI reference:
// Self, Amazon, Private, Public, ThirdParty, All).
var documentOwnerValues = []string{"Self", "Amazon", "Private", "Public", "ThirdParty", "All"}

// listDocuments validates the request, parses its filters, and answers
// one page of the documents, AWS-owned and the account's, that match them.
func (a *Area) listDocuments(in *listDocumentsInput) (*listDocumentsOutput, error) {
	if err := validateListDocuments(in); err != nil {
		return nil, err
	}
	filters, err := documentFilters(in)
	if err != nil {
		return nil, err
	}
	size := defaultListDocumentPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListDocuments", in.DocumentFilterList, in.Filters)
	var out listDocumentsOutput
	a.view(func(st *state) {
		matched := st.matchingDocuments(filters)
		var ok bool
		if out.DocumentIdentifiers, out.NextToken, ok = protocol.PageOf(matched, protocol.Deref(in.NextToken), fp, size, a.identifier); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// validateListDocuments applies the model's rules to the request.
func validateListDocuments(in *listDocumentsInput) error {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if in.DocumentFilterList != nil {
		v.Count("documentFilterList", len(in.DocumentFilterList), 1, -1)
	}
	for i, f := range in.DocumentFilterList {
		p := fmt.Sprintf("documentFilterList.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "Name", "Owner", "PlatformTypes", "DocumentType")
		}
		if v.Required(p+".value", f.Value != nil) {
			v.Length(p+".value", *f.Value, 1, -1)
		}
	}
	v.Count("filters", len(in.Filters), 0, 6)
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if f.Key != nil {
			v.Length(p+".key", *f.Key, 1, 128)
		}
		for _, val := range f.Values {
			v.Length(p+".values.member", val, 1, 256)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

// documentFilterSpec is one filter of either list, by key.
type documentFilterSpec struct {
	key    string
	values []string
}

// documentFilters merges DocumentFilterList and Filters into one list and
// checks the keys and the Owner values.
func documentFilters(in *listDocumentsInput) ([]documentFilterSpec, error) {
	var filters []documentFilterSpec
	for _, f := range in.DocumentFilterList {
		filters = append(filters, documentFilterSpec{*f.Key, []string{*f.Value}})
	}
	tagKeys := 0
	for _, f := range in.Filters {
		key := protocol.Deref(f.Key)
		switch {
		case key == "Owner":
			for _, val := range f.Values {
				if !slices.Contains(documentOwnerValues, val) {
					return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s is not a valid value for the Owner filter. Valid values: %s.", val, strings.Join(documentOwnerValues, ", ")))
				}
			}
		case key == "Name", key == "PlatformTypes", key == "DocumentType", key == "TargetType", key == "SearchKeyword":
		case strings.HasPrefix(key, "tag:") && len(key) > 4:
			tagKeys++
		default:
			return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("The filter key %q isn't valid. Valid keys: Owner, Name, PlatformTypes, DocumentType, TargetType, SearchKeyword, tag:{keyname}.", key))
		}
		filters = append(filters, documentFilterSpec{key, f.Values})
	}
	// The Filters documentation: "This API operation only supports
	// filtering documents by using a single tag key".
	if tagKeys > 1 {
		return nil, protocol.ErrInvalidFilterKey("ListDocuments filters on at most one tag key.")
	}
	return filters, nil
}

// matchingDocuments are the documents, AWS-owned and the account's, that
// every filter matches, sorted by name.
func (st *state) matchingDocuments(filters []documentFilterSpec) []*document {
	all := make([]*document, 0, len(awsDocuments())+len(st.Documents))
	for _, d := range awsDocuments() {
		all = append(all, d)
	}
	all = append(all, st.Documents...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	var matched []*document
	for _, d := range all {
		ok := true
		for _, f := range filters {
			if !documentMatches(d, f) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, d)
		}
	}
	return matched
}

// documentMatches says whether a document matches one filter.
func documentMatches(d *document, f documentFilterSpec) bool {
	ver := d.version(d.DefaultVersion)
	switch f.key {
	case "Owner":
		for _, val := range f.values {
			switch val {
			case "All":
				return true
			case "Amazon", "Public":
				if d.Owner == "Amazon" {
					return true
				}
			case "Self", "Private":
				if d.Owner != "Amazon" {
					return true
				}
			}
		}
		return false
	case "Name":
		for _, val := range f.values {
			if strings.HasPrefix(d.Name, val) {
				return true
			}
		}
		return false
	case "SearchKeyword":
		for _, val := range f.values {
			if strings.Contains(strings.ToLower(d.Name), strings.ToLower(val)) {
				return true
			}
		}
		return false
	case "PlatformTypes":
		for _, val := range f.values {
			if slices.Contains(ver.parsed.PlatformTypes(), val) {
				return true
			}
		}
		return false
	case "DocumentType":
		return slices.Contains(f.values, d.DocumentType)
	case "TargetType":
		return slices.Contains(f.values, d.TargetType)
	}
	k := strings.TrimPrefix(f.key, "tag:")
	val, ok := d.Tags[k]
	return ok && (len(f.values) == 0 || slices.Contains(f.values, val))
}

// identifier is a document as ListDocuments lists it: its default version.
func (a *Area) identifier(d *document) documentIdentifier {
	ver := d.version(d.DefaultVersion)
	return documentIdentifier{
		Name: d.Name, CreatedDate: protocol.Epoch(ver.Created), DisplayName: ver.DisplayName,
		Owner: a.documentOwner(d), VersionName: ver.VersionName,
		PlatformTypes: ver.parsed.PlatformTypes(), DocumentVersion: strconv.Itoa(ver.Version),
		DocumentType: d.DocumentType, SchemaVersion: ver.parsed.SchemaVersion,
		DocumentFormat: ver.Format, TargetType: d.TargetType, Tags: tags.List(d.Tags),
	}
}

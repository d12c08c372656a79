package documents

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The stored document and its versions, and looking them up by name and version.

// document is one SSM document with its versions. AWS-owned documents are
// built in (Owner "Amazon") and never persisted.
type document struct {
	Name           string             `json:"name"`
	Owner          string             `json:"owner"`
	DocumentType   string             `json:"documentType"`
	TargetType     string             `json:"targetType,omitempty"`
	DefaultVersion int                `json:"defaultVersion"`
	Tags           map[string]string  `json:"tags,omitempty"`
	Versions       []*documentVersion `json:"versions"`
}

type documentVersion struct {
	Version     int       `json:"version"`
	VersionName string    `json:"versionName,omitempty"`
	DisplayName string    `json:"displayName,omitempty"`
	Format      string    `json:"format"`
	Content     string    `json:"content"`
	Created     time.Time `json:"created"`
	Hash        string    `json:"hash"`

	parsed *Content
}

func (d *document) latest() *documentVersion { return d.Versions[len(d.Versions)-1] }

func (d *document) version(n int) *documentVersion {
	for _, v := range d.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

// documentName turns a name or an SSM document ARN into a name.
func Name(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndex(s, ":document/"); i >= 0 {
			return s[i+len(":document/"):]
		}
	}
	return s
}

// findDocument looks a document up by name or ARN.
func (st *state) findDocument(name string) *document {
	name = Name(name)
	if d := awsDocuments()[name]; d != nil {
		return d
	}
	for _, d := range st.Documents {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// resolveVersion picks a document version by number, $LATEST, $DEFAULT
// (the default when empty) or version name.
func resolveVersion(d *document, version, versionName string) (*documentVersion, error) {
	var v *documentVersion
	switch version {
	case "", "$DEFAULT":
		v = d.version(d.DefaultVersion)
	case "$LATEST":
		v = d.latest()
	default:
		n, err := strconv.Atoi(version)
		if err == nil {
			v = d.version(n)
		}
		if v == nil {
			return nil, errInvalidDocumentVersion(fmt.Sprintf("Document %s does not have version %s.", d.Name, version))
		}
	}
	if versionName != "" {
		if version == "" {
			v = nil
			for _, x := range d.Versions {
				if x.VersionName == versionName {
					v = x
				}
			}
		}
		if v == nil || v.VersionName != versionName {
			return nil, errInvalidDocumentVersion(fmt.Sprintf("Document %s does not have a version named %s.", d.Name, versionName))
		}
	}
	return v, nil
}

func documentHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

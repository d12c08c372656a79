package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/internal/lazyre"
)

// PreferencesAPI is the part of *ssm.Client that reads and writes the
// Session Manager preferences document.
type PreferencesAPI interface {
	GetDocument(ctx context.Context, in *ssm.GetDocumentInput, optFns ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error)
	CreateDocument(ctx context.Context, in *ssm.CreateDocumentInput, optFns ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error)
	UpdateDocument(ctx context.Context, in *ssm.UpdateDocumentInput, optFns ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error)
	UpdateDocumentDefaultVersion(ctx context.Context, in *ssm.UpdateDocumentDefaultVersionInput, optFns ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error)
}

var _ PreferencesAPI = (*ssm.Client)(nil)

// PreferencesDocument is the Session document in which Session Manager keeps
// an account's preferences for a region; the console creates it the first
// time preferences are saved.
const PreferencesDocument = "SSM-SessionManagerRunShell"

// Limits of the preferences, as the Session Manager console and the
// session document schema state them.
const (
	DefaultIdleTimeout = 20 // minutes, when the document does not say
	MaxIdleTimeout     = 60
	MaxSessionDuration = 1440
)

// Preferences are the account's Session Manager preferences in one region.
type Preferences struct {
	Exists  bool   // the document exists; otherwise these are AWS's defaults
	Version string // the document's default version, which sessions use

	IdleTimeout         int // minutes
	MaxDuration         int // minutes; 0 = no limit
	RunAsEnabled        bool
	RunAsDefaultUser    string
	ShellProfileLinux   string
	ShellProfileWindows string
	S3Bucket            string
	S3KeyPrefix         string
	S3Encryption        bool
	LogGroup            string
	LogEncryption       bool
	LogStreaming        bool
	KMSKeyID            string

	// doc is the document as read, so writing keeps what ssmctl does not
	// know about.
	doc map[string]any
}

// defaultPreferences are what sessions get when no preferences document
// exists: a 20-minute idle timeout, no duration limit, no logging, no
// encryption, no Run As. The booleans are those of the template on AWS's
// "create preferences (command line)" page.
func defaultPreferences() *Preferences {
	return &Preferences{IdleTimeout: DefaultIdleTimeout, S3Encryption: true, LogEncryption: true, LogStreaming: true}
}

// GetPreferences reads the preferences document's default version. A
// missing document is not an error: the result says so and carries AWS's
// defaults.
func GetPreferences(ctx context.Context, api PreferencesAPI) (*Preferences, error) {
	out, err := api.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(PreferencesDocument), DocumentFormat: types.DocumentFormatJson})
	if err != nil {
		var invalid *types.InvalidDocument
		if errors.As(err, &invalid) {
			return defaultPreferences(), nil
		}
		return nil, err
	}
	p, err := parsePreferences(aws.ToString(out.Content))
	if err != nil {
		return nil, fmt.Errorf("%s version %s: %w", PreferencesDocument, aws.ToString(out.DocumentVersion), err)
	}
	p.Exists = true
	p.Version = aws.ToString(out.DocumentVersion)
	return p, nil
}

func parsePreferences(content string) (*Preferences, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return nil, fmt.Errorf("content is not JSON: %w", err)
	}
	p := defaultPreferences()
	p.doc = doc
	in, _ := doc["inputs"].(map[string]any)
	if in == nil {
		return p, nil
	}
	var err error
	str := func(k string) string { s, _ := in[k].(string); return s }
	boolean := func(k string, dst *bool) {
		switch v := in[k].(type) {
		case bool:
			*dst = v
		case string:
			if b, e := strconv.ParseBool(v); e == nil {
				*dst = b
			}
		}
	}
	// Session Manager writes durations as strings of minutes; accept
	// numbers too.
	minutes := func(k string, dst *int) {
		switch v := in[k].(type) {
		case float64:
			*dst = int(v)
		case string:
			if v == "" {
				return
			}
			n, e := strconv.Atoi(v)
			if e != nil {
				if err == nil {
					err = fmt.Errorf("inputs.%s %q is not a number of minutes", k, v)
				}
				return
			}
			*dst = n
		}
	}
	minutes("idleSessionTimeout", &p.IdleTimeout)
	minutes("maxSessionDuration", &p.MaxDuration)
	boolean("runAsEnabled", &p.RunAsEnabled)
	p.RunAsDefaultUser = str("runAsDefaultUser")
	if sp, ok := in["shellProfile"].(map[string]any); ok {
		p.ShellProfileLinux, _ = sp["linux"].(string)
		p.ShellProfileWindows, _ = sp["windows"].(string)
	}
	p.S3Bucket = str("s3BucketName")
	p.S3KeyPrefix = str("s3KeyPrefix")
	boolean("s3EncryptionEnabled", &p.S3Encryption)
	p.LogGroup = str("cloudWatchLogGroupName")
	boolean("cloudWatchEncryptionEnabled", &p.LogEncryption)
	boolean("cloudWatchStreamingEnabled", &p.LogStreaming)
	p.KMSKeyID = str("kmsKeyId")
	return p, err
}

// PreferencesChange is what `session prefs set` changes; nil fields stay as
// they are.
type PreferencesChange struct {
	IdleTimeout         *int
	MaxDuration         *int // 0 removes the limit
	RunAsEnabled        *bool
	RunAsDefaultUser    *string
	ShellProfileLinux   *string
	ShellProfileWindows *string
	S3Bucket            *string
	S3KeyPrefix         *string
	S3Encryption        *bool
	LogGroup            *string
	LogEncryption       *bool
	LogStreaming        *bool
	KMSKeyID            *string
}

var (
	// S3 bucket naming rules (general purpose buckets).
	s3BucketName = lazyre.New(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipAddress    = lazyre.New(`^\d+\.\d+\.\d+\.\d+$`)
	// CloudWatch Logs LogGroupName: 1..512 of [.-_/#A-Za-z0-9].
	logGroupName = lazyre.New(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	// A KMS key ID, key ARN, alias name or alias ARN.
	kmsKeyID = lazyre.New(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)|alias/[A-Za-z0-9/_-]{1,250}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	// A user name as local accounts and directory users (user@domain through
	// SSSD) spell them. No length is imposed: AWS states none, and directory
	// names can be longer than useradd's 32.
	runAsUser = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?$`)
)

// Validate checks a change against the limits Session Manager states, with
// no call to AWS.
func (c PreferencesChange) Validate() error {
	if v := c.IdleTimeout; v != nil && (*v < 1 || *v > MaxIdleTimeout) {
		return fmt.Errorf("idle timeout %d: want 1 to %d minutes", *v, MaxIdleTimeout)
	}
	if v := c.MaxDuration; v != nil && (*v < 0 || *v > MaxSessionDuration) {
		return fmt.Errorf("maximum session duration %d: want 1 to %d minutes, or 0 for no limit", *v, MaxSessionDuration)
	}
	if v := c.S3Bucket; v != nil && *v != "" {
		if !s3BucketName.MatchString(*v) || strings.Contains(*v, "..") || ipAddress.MatchString(*v) {
			return fmt.Errorf("S3 bucket %q: want 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit", *v)
		}
	}
	if v := c.S3KeyPrefix; v != nil && len(*v) > 1024 {
		return fmt.Errorf("S3 key prefix is %d bytes: at most 1024", len(*v))
	}
	if v := c.LogGroup; v != nil && *v != "" && !logGroupName.MatchString(*v) {
		return fmt.Errorf("CloudWatch log group %q: want 1 to 512 letters, digits and . - _ / #", *v)
	}
	if v := c.KMSKeyID; v != nil && *v != "" && !kmsKeyID.MatchString(*v) {
		return fmt.Errorf("KMS key %q: want a key ID, key ARN, alias/NAME or alias ARN", *v)
	}
	if v := c.RunAsDefaultUser; v != nil && *v != "" && !runAsUser.MatchString(*v) {
		return fmt.Errorf("run-as user %q: want a user name (letters, digits, _ . - @)", *v)
	}
	return nil
}

// Empty reports whether the change changes nothing.
func (c PreferencesChange) Empty() bool { return c == PreferencesChange{} }

// apply writes the change into the document's inputs, keeping every other
// key, and returns the new content.
func (p *Preferences) apply(c PreferencesChange) (string, error) {
	doc := maps.Clone(p.doc)
	if doc == nil {
		doc = map[string]any{
			"schemaVersion": "1.0",
			"description":   "Document to hold regional settings for Session Manager",
			"sessionType":   "Standard_Stream",
		}
	}
	in, _ := doc["inputs"].(map[string]any)
	in = maps.Clone(in)
	if in == nil {
		in = map[string]any{
			"s3BucketName": "", "s3KeyPrefix": "", "s3EncryptionEnabled": true,
			"cloudWatchLogGroupName": "", "cloudWatchEncryptionEnabled": true, "cloudWatchStreamingEnabled": true,
			"kmsKeyId": "", "runAsEnabled": false, "runAsDefaultUser": "",
			"idleSessionTimeout": strconv.Itoa(DefaultIdleTimeout), "maxSessionDuration": "",
			"shellProfile": map[string]any{"windows": "", "linux": ""},
		}
	}
	setS := func(k string, v *string) {
		if v != nil {
			in[k] = *v
		}
	}
	setB := func(k string, v *bool) {
		if v != nil {
			in[k] = *v
		}
	}
	if c.IdleTimeout != nil {
		in["idleSessionTimeout"] = strconv.Itoa(*c.IdleTimeout)
	}
	if c.MaxDuration != nil {
		in["maxSessionDuration"] = ""
		if *c.MaxDuration > 0 {
			in["maxSessionDuration"] = strconv.Itoa(*c.MaxDuration)
		}
	}
	setB("runAsEnabled", c.RunAsEnabled)
	setS("runAsDefaultUser", c.RunAsDefaultUser)
	if c.ShellProfileLinux != nil || c.ShellProfileWindows != nil {
		sp, _ := in["shellProfile"].(map[string]any)
		sp = maps.Clone(sp)
		if sp == nil {
			sp = map[string]any{"windows": "", "linux": ""}
		}
		if c.ShellProfileLinux != nil {
			sp["linux"] = *c.ShellProfileLinux
		}
		if c.ShellProfileWindows != nil {
			sp["windows"] = *c.ShellProfileWindows
		}
		in["shellProfile"] = sp
	}
	setS("s3BucketName", c.S3Bucket)
	setS("s3KeyPrefix", c.S3KeyPrefix)
	setB("s3EncryptionEnabled", c.S3Encryption)
	setS("cloudWatchLogGroupName", c.LogGroup)
	setB("cloudWatchEncryptionEnabled", c.LogEncryption)
	setB("cloudWatchStreamingEnabled", c.LogStreaming)
	setS("kmsKeyId", c.KMSKeyID)
	doc["inputs"] = in
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}

// SetPreferences applies a change to the preferences document: CreateDocument
// (type Session, JSON) the first time, and afterwards UpdateDocument on
// $LATEST followed by UpdateDocumentDefaultVersion, because sessions use the
// default version. A change that changes nothing writes nothing. It returns
// the preferences now in effect and whether anything was written.
func SetPreferences(ctx context.Context, api PreferencesAPI, c PreferencesChange) (*Preferences, bool, error) {
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	cur, err := GetPreferences(ctx, api)
	if err != nil {
		return nil, false, err
	}
	content, err := cur.apply(c)
	if err != nil {
		return nil, false, err
	}
	next, err := parsePreferences(content)
	if err != nil {
		return nil, false, err
	}
	next.Exists = true
	if cur.Exists && samePreferences(cur, next) {
		next.Version = cur.Version
		return next, false, nil
	}
	if !cur.Exists {
		out, err := api.CreateDocument(ctx, &ssm.CreateDocumentInput{
			Name: aws.String(PreferencesDocument), Content: aws.String(content),
			DocumentType: types.DocumentTypeSession, DocumentFormat: types.DocumentFormatJson,
		})
		if err != nil {
			return nil, false, err
		}
		next.Version = "1"
		if out.DocumentDescription != nil && out.DocumentDescription.DocumentVersion != nil {
			next.Version = *out.DocumentDescription.DocumentVersion
		}
		return next, true, nil
	}
	out, err := api.UpdateDocument(ctx, &ssm.UpdateDocumentInput{
		Name: aws.String(PreferencesDocument), Content: aws.String(content),
		DocumentVersion: aws.String("$LATEST"), DocumentFormat: types.DocumentFormatJson,
	})
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "DuplicateDocumentContent":
		// The latest version already holds these preferences but is not
		// the default: make it the default.
		latest, err := api.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(PreferencesDocument), DocumentVersion: aws.String("$LATEST")})
		if err != nil {
			return nil, false, err
		}
		next.Version = aws.ToString(latest.DocumentVersion)
	case err != nil:
		return nil, false, err
	case out.DocumentDescription == nil || out.DocumentDescription.DocumentVersion == nil:
		return nil, false, fmt.Errorf("UpdateDocument %s: the answer has no document version", PreferencesDocument)
	default:
		next.Version = *out.DocumentDescription.DocumentVersion
	}
	if _, err := api.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{
		Name: aws.String(PreferencesDocument), DocumentVersion: aws.String(next.Version),
	}); err != nil {
		return nil, true, err
	}
	return next, true, nil
}

// samePreferences reports whether two preference sets say the same, wherever
// they were read from.
func samePreferences(x, y *Preferences) bool {
	return x.IdleTimeout == y.IdleTimeout && x.MaxDuration == y.MaxDuration && x.RunAsEnabled == y.RunAsEnabled &&
		x.RunAsDefaultUser == y.RunAsDefaultUser && x.ShellProfileLinux == y.ShellProfileLinux &&
		x.ShellProfileWindows == y.ShellProfileWindows && x.S3Bucket == y.S3Bucket && x.S3KeyPrefix == y.S3KeyPrefix &&
		x.S3Encryption == y.S3Encryption && x.LogGroup == y.LogGroup && x.LogEncryption == y.LogEncryption &&
		x.LogStreaming == y.LogStreaming && x.KMSKeyID == y.KMSKeyID
}

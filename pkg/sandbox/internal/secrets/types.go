package secrets

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Requests and answers, with Secrets Manager's wire names.

type createSecretInput struct {
	Name                        *string
	ClientRequestToken          *string
	Description                 *string
	KmsKeyId                    *string
	SecretBinary                []byte
	SecretString                *string
	Tags                        []tagWire
	AddReplicaRegions           []any
	ForceOverwriteReplicaSecret *bool
	Type                        *string
}

type tagWire struct {
	Key   *string
	Value *string
}

type createSecretOutput struct {
	ARN       string
	Name      string
	VersionId string `json:",omitempty"`
}

type getSecretValueInput struct {
	SecretId     *string
	VersionId    *string
	VersionStage *string
}

type secretValue struct {
	ARN           string
	Name          string
	VersionId     string
	SecretBinary  []byte  `json:",omitempty"`
	SecretString  *string `json:",omitempty"`
	VersionStages []string
	CreatedDate   *protocol.EpochTime
}

type batchGetSecretValueInput struct {
	SecretIdList []string
	Filters      []filterWire
	MaxResults   *int32
	NextToken    *string
}

type apiErrorEntry struct {
	SecretId  string
	ErrorCode string
	Message   string
}

type batchGetSecretValueOutput struct {
	SecretValues []secretValue
	NextToken    string `json:",omitempty"`
	Errors       []apiErrorEntry
}

type putSecretValueInput struct {
	SecretId           *string
	ClientRequestToken *string
	SecretBinary       []byte
	SecretString       *string
	VersionStages      []string
	RotationToken      *string
}

type putSecretValueOutput struct {
	ARN           string
	Name          string
	VersionId     string
	VersionStages []string
}

type updateSecretInput struct {
	SecretId           *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretBinary       []byte
	SecretString       *string
	Type               *string
}

type updateSecretVersionStageInput struct {
	SecretId            *string
	VersionStage        *string
	RemoveFromVersionId *string
	MoveToVersionId     *string
}

type arnName struct {
	ARN  string
	Name string
}

type secretIDInput struct {
	SecretId *string
}

type rotationRulesWire struct {
	AutomaticallyAfterDays *int64  `json:",omitempty"`
	Duration               *string `json:",omitempty"`
	ScheduleExpression     *string `json:",omitempty"`
}

type describeSecretOutput struct {
	ARN                string
	Name               string
	Description        string              `json:",omitempty"`
	KmsKeyId           string              `json:",omitempty"`
	RotationEnabled    *bool               `json:",omitempty"`
	RotationLambdaARN  string              `json:",omitempty"`
	RotationRules      *rotationRulesWire  `json:",omitempty"`
	LastRotatedDate    *protocol.EpochTime `json:",omitempty"`
	LastChangedDate    *protocol.EpochTime `json:",omitempty"`
	LastAccessedDate   *protocol.EpochTime `json:",omitempty"`
	DeletedDate        *protocol.EpochTime `json:",omitempty"`
	NextRotationDate   *protocol.EpochTime `json:",omitempty"`
	Tags               []tag               `json:",omitempty"`
	VersionIdsToStages map[string][]string `json:",omitempty"`
	CreatedDate        *protocol.EpochTime `json:",omitempty"`
	PrimaryRegion      string              `json:",omitempty"`
}

type filterWire struct {
	Key    *string
	Values []string
}

type listSecretsInput struct {
	IncludePlannedDeletion *bool
	MaxResults             *int32
	NextToken              *string
	Filters                []filterWire
	SortOrder              *string
	SortBy                 *string
}

// secretListEntry is ListSecrets' entry: DescribeSecret's members with
// SecretVersionsToStages for VersionIdsToStages.
type secretListEntry struct {
	ARN                    string
	Name                   string
	Description            string              `json:",omitempty"`
	KmsKeyId               string              `json:",omitempty"`
	RotationEnabled        *bool               `json:",omitempty"`
	RotationLambdaARN      string              `json:",omitempty"`
	RotationRules          *rotationRulesWire  `json:",omitempty"`
	LastRotatedDate        *protocol.EpochTime `json:",omitempty"`
	LastChangedDate        *protocol.EpochTime `json:",omitempty"`
	LastAccessedDate       *protocol.EpochTime `json:",omitempty"`
	DeletedDate            *protocol.EpochTime `json:",omitempty"`
	NextRotationDate       *protocol.EpochTime `json:",omitempty"`
	Tags                   []tag               `json:",omitempty"`
	SecretVersionsToStages map[string][]string `json:",omitempty"`
	CreatedDate            *protocol.EpochTime `json:",omitempty"`
	PrimaryRegion          string              `json:",omitempty"`
}

type listSecretsOutput struct {
	SecretList []secretListEntry
	NextToken  string `json:",omitempty"`
}

type listSecretVersionIdsInput struct {
	SecretId          *string
	MaxResults        *int32
	NextToken         *string
	IncludeDeprecated *bool
}

type versionEntry struct {
	VersionId        string
	VersionStages    []string            `json:",omitempty"`
	LastAccessedDate *protocol.EpochTime `json:",omitempty"`
	CreatedDate      *protocol.EpochTime
	KmsKeyIds        []string `json:",omitempty"`
}

type listSecretVersionIdsOutput struct {
	Versions  []versionEntry
	NextToken string `json:",omitempty"`
	ARN       string
	Name      string
}

type rotateSecretInput struct {
	SecretId                       *string
	ClientRequestToken             *string
	RotationLambdaARN              *string
	RotationRules                  *rotationRulesWire
	ExternalSecretRotationMetadata []any
	ExternalSecretRotationRoleArn  *string
	RotateImmediately              *bool
}

type rotateSecretOutput struct {
	ARN       string
	Name      string
	VersionId string `json:",omitempty"`
}

type deleteSecretInput struct {
	SecretId                   *string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery *bool
}

type deleteSecretOutput struct {
	ARN          string
	Name         string
	DeletionDate *protocol.EpochTime
}

type tagResourceInput struct {
	SecretId *string
	Tags     []tagWire
}

type untagResourceInput struct {
	SecretId *string
	TagKeys  []string
}

type getRandomPasswordInput struct {
	PasswordLength          *int64
	ExcludeCharacters       *string
	ExcludeNumbers          *bool
	ExcludePunctuation      *bool
	ExcludeUppercase        *bool
	ExcludeLowercase        *bool
	IncludeSpace            *bool
	RequireEachIncludedType *bool
}

type getRandomPasswordOutput struct {
	RandomPassword string
}

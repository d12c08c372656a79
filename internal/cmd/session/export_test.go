package session

// PickNode is the picker the external tests drive.
var PickNode = pickNode

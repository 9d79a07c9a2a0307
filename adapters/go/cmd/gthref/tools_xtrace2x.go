// Builds against the x/exp/trace snapshots before May 2025 (the readers of Go
// 1.22 to 1.24) leave the tool commands out: their codec and golden-file APIs
// differ, and the harness uses only the newest reader's tools.

//go:build xtrace_api22 || xtrace_api23

package main

const toolsUsage = ""

var tools = map[string]toolFunc{}

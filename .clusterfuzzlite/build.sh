#!/bin/bash -eu
# ClusterFuzzLite build: the same as OSS-Fuzz's (fuzz/oss-fuzz/build.sh).
GTH_SRC=$SRC/gotrace-harness exec bash "$SRC/gotrace-harness/fuzz/oss-fuzz/build.sh"

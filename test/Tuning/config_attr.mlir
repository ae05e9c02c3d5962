// RUN: seqboat-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect | FileCheck %s

// CHECK-LABEL: func @config
// CHECK: "test.op"() {seqboat.config = #seqboat.config<threads = 128, rows_per_block = 16>}
func.func @config() {
  "test.op"() {seqboat.config = #seqboat.config<threads = 128, rows_per_block = 16>} : () -> ()
  return
}

// -----

func.func @bad_threads() {
  // expected-error @+1 {{#seqboat.config 'threads' must be in [1, 1024], but got 2048}}
  "test.op"() {seqboat.config = #seqboat.config<threads = 2048, rows_per_block = 16>} : () -> ()
  return
}

// -----

func.func @bad_rows() {
  // expected-error @+1 {{#seqboat.config 'rows_per_block' must be positive, but got 0}}
  "test.op"() {seqboat.config = #seqboat.config<threads = 64, rows_per_block = 0>} : () -> ()
  return
}

// -----

func.func @bad_unroll() {
  // expected-error @+1 {{#seqboat.config 'unroll' must be positive, but got 0}}
  "test.op"() {seqboat.config = #seqboat.config<threads = 64, rows_per_block = 2, unroll = 0>} : () -> ()
  return
}

// -----

// CHECK-LABEL: func @unroll
// CHECK: #seqboat.config<threads = 64, rows_per_block = 2, unroll = 4>
func.func @unroll() {
  "test.op"() {seqboat.config = #seqboat.config<threads = 64, rows_per_block = 2, unroll = 4>} : () -> ()
  return
}

// -----

func.func @bad_queries() {
  // expected-error @+1 {{#seqboat.config 'attn_queries' must be positive, but got 0}}
  "test.op"() {seqboat.config = #seqboat.config<threads = 64, rows_per_block = 2, attn_queries = 0>} : () -> ()
  return
}

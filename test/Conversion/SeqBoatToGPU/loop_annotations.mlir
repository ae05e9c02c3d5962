// RUN: seqboat-opt %s --seqboat-loop-annotations | FileCheck %s

// convert-scf-to-cf leaves an scf.for's llvm.loop_annotation as a
// discardable attribute of the loop's back edge; the pass makes it the
// branch's loop_annotation (the !llvm.loop metadata of the translation).
// An attribute of that name that is not a loop annotation is left alone.

#no_unroll = #llvm.loop_annotation<unroll = <disable = true>>

// CHECK-LABEL: llvm.func @loop
// CHECK:         llvm.br ^bb1(%{{.*}} : i64) {loop_annotation = #{{.*}}}
// CHECK-NOT:     llvm.loop_annotation
// CHECK-LABEL: llvm.func @not_an_annotation
// CHECK:         llvm.br ^bb1 {llvm.loop_annotation = 1 : i64}
llvm.func @loop(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%i: i64):
  %done = llvm.icmp "sge" %i, %n : i64
  llvm.cond_br %done, ^bb3, ^bb2
^bb2:
  %next = llvm.add %i, %c1 : i64
  llvm.br ^bb1(%next : i64) {llvm.loop_annotation = #no_unroll}
^bb3:
  llvm.return
}

llvm.func @not_an_annotation() {
  llvm.br ^bb1 {llvm.loop_annotation = 1 : i64}
^bb1:
  llvm.return
}

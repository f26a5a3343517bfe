//! The LLVM IR programs the link tests compile for every runtime target. Each
//! defines `clef_main(args_ptr, args_len) -> i32` and calls the runtime the way
//! generated code does; none depends on the target (lengths are `i64`, strings
//! `{ ptr, i64 }`).

pub const HELLO_IR: &str = r#"
@msg = private constant [6 x i8] c"hello\0A"
declare void @clef_rt_write(i32, ptr, i64)
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_write(i32 1, ptr @msg, i64 6)
  ret i32 0
}
"#;

pub const SMOKE_IR: &str = r#"
%Str = type { ptr, i64 }

@hello = private constant [6 x i8] c"hello\0A"
@n_eq = private constant [2 x i8] c"n="
@x_eq = private constant [3 x i8] c" x="
@space = private constant [1 x i8] c" "
@newline = private constant [1 x i8] c"\0A"
@args_eq = private constant [5 x i8] c"args="
@first_eq = private constant [7 x i8] c" first="
@hex_src = private constant [4 x i8] c"0x1F"
@float_src = private constant [6 x i8] c" 3.25 "
@foo = private constant [3 x i8] c"foo"
@bar = private constant [3 x i8] c"bar"
@abc = private constant [3 x i8] c"abc"
@abd = private constant [3 x i8] c"abd"
@open = private constant [1 x i8] c"["
@close = private constant [1 x i8] c"]"
@eof = private constant [5 x i8] c" eof\0A"
@buf = private global [6 x i8] c"abcdef"
@two_point_seven = private global double 2.7
@seven_point_five = private global double 7.5
@two = private global double 2.0
@ten = private global double 10.0

declare void @clef_rt_write(i32, ptr, i64)
declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_float(double, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_string(ptr, i64, i32, i32, i32)
declare void @clef_rt_fmt_finish_write(i32, i8 zeroext)
declare %Str @clef_rt_fmt_finish_string()
declare i64 @clef_rt_parse_int(ptr, i64, i32, i8 zeroext)
declare double @clef_rt_parse_float(ptr, i64)
declare %Str @clef_rt_str_concat(ptr, i64, ptr, i64)
declare i32 @clef_rt_str_compare(ptr, i64, ptr, i64)
declare zeroext i8 @clef_rt_try_readln(ptr)
; Declared with an i32 flag to put garbage above the low byte on purpose.
declare void @clef_rt_fmt_bool(i32, i32, i32, i32)
declare ptr @memmove(ptr, ptr, i64)
declare ptr @memset(ptr, i32, i64)
declare i32 @memcmp(ptr, ptr, i64)
declare double @sqrt(double)
declare double @llvm.floor.f64(double)
declare double @llvm.pow.f64(double, double)

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %line = alloca %Str
  call void @clef_rt_write(i32 1, ptr @hello, i64 6)

  ; printfn "n=%5d x=%.2f %O" -42 2.5 (0.1 + 0.2)
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @n_eq, i64 2)
  call void @clef_rt_fmt_int(i64 -42, i32 32, i8 1, i32 100, i32 0, i32 5, i32 -1)
  call void @clef_rt_fmt_literal(ptr @x_eq, i64 3)
  call void @clef_rt_fmt_float(double 2.5, i8 0, i32 102, i32 0, i32 -1, i32 2)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double 0x3FD3333333333334, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; sprintf "%x" 255
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_int(i64 255, i32 32, i8 1, i32 120, i32 0, i32 -1, i32 -1)
  %hex = call %Str @clef_rt_fmt_finish_string()
  %hex.ptr = extractvalue %Str %hex, 0
  %hex.len = extractvalue %Str %hex, 1
  call void @clef_rt_write(i32 1, ptr %hex.ptr, i64 %hex.len)
  call void @clef_rt_write(i32 1, ptr @newline, i64 1)

  ; the arguments
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @args_eq, i64 5)
  call void @clef_rt_fmt_int(i64 %argc, i32 64, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  %has_args = icmp sgt i64 %argc, 0
  br i1 %has_args, label %first, label %after_args
first:
  %arg0 = load %Str, ptr %args
  %arg0.ptr = extractvalue %Str %arg0, 0
  %arg0.len = extractvalue %Str %arg0, 1
  call void @clef_rt_fmt_literal(ptr @first_eq, i64 7)
  call void @clef_rt_fmt_string(ptr %arg0.ptr, i64 %arg0.len, i32 0, i32 -1, i32 -1)
  br label %after_args
after_args:
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; memmove (overlapping), memset, memcmp
  %moved = call ptr @memmove(ptr getelementptr (i8, ptr @buf, i64 1), ptr @buf, i64 5)
  call void @clef_rt_write(i32 1, ptr @buf, i64 6)
  call void @clef_rt_write(i32 1, ptr @space, i64 1)
  %set = call ptr @memset(ptr @buf, i32 122, i64 2)
  call void @clef_rt_write(i32 1, ptr @buf, i64 6)
  %cmp = call i32 @memcmp(ptr @abc, ptr @abd, i64 3)
  %less = icmp slt i32 %cmp, 0
  %sign = select i1 %less, i64 -1, i64 1
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_int(i64 %sign, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; math through intrinsics, frem and a direct call
  %v27 = load volatile double, ptr @two_point_seven
  %v75 = load volatile double, ptr @seven_point_five
  %v2 = load volatile double, ptr @two
  %v10 = load volatile double, ptr @ten
  %floor = call double @llvm.floor.f64(double %v27)
  %rem = frem double %v75, %v2
  %pow = call double @llvm.pow.f64(double %v2, double %v10)
  %sqrt = call double @sqrt(double %v2)
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_float(double %floor, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %rem, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %pow, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %sqrt, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; int "0x1F", float " 3.25 "
  %parsed_int = call i64 @clef_rt_parse_int(ptr @hex_src, i64 4, i32 32, i8 1)
  %parsed_float = call double @clef_rt_parse_float(ptr @float_src, i64 6)
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_int(i64 %parsed_int, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %parsed_float, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; "foo" + "bar", compare "abc" "abd"
  %cat = call %Str @clef_rt_str_concat(ptr @foo, i64 3, ptr @bar, i64 3)
  %cat.ptr = extractvalue %Str %cat, 0
  %cat.len = extractvalue %Str %cat, 1
  call void @clef_rt_write(i32 1, ptr %cat.ptr, i64 %cat.len)
  %order = call i32 @clef_rt_str_compare(ptr @abc, i64 3, ptr @abd, i64 3)
  %order64 = sext i32 %order to i64
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_int(i64 %order64, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  ; booleans: only the low byte counts (0x100 is false, 0x101 is true)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_bool(i32 256, i32 98, i32 0, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_bool(i32 257, i32 0, i32 0, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; sprintf "%5000s" "foo": grows the format buffer past its 4 KiB block
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_string(ptr @foo, i64 3, i32 0, i32 5000, i32 -1)
  %wide = call %Str @clef_rt_fmt_finish_string()
  %wide.ptr = extractvalue %Str %wide, 0
  %wide.len = extractvalue %Str %wide, 1
  call void @clef_rt_write(i32 1, ptr %wide.ptr, i64 %wide.len)
  call void @clef_rt_write(i32 1, ptr @newline, i64 1)

  ; every line of stdin in brackets
  br label %read
read:
  %got = call i8 @clef_rt_try_readln(ptr %line)
  %more = icmp ne i8 %got, 0
  br i1 %more, label %print_line, label %done
print_line:
  %text = load %Str, ptr %line
  %text.ptr = extractvalue %Str %text, 0
  %text.len = extractvalue %Str %text, 1
  call void @clef_rt_write(i32 1, ptr @open, i64 1)
  call void @clef_rt_write(i32 1, ptr %text.ptr, i64 %text.len)
  call void @clef_rt_write(i32 1, ptr @close, i64 1)
  br label %read
done:
  call void @clef_rt_write(i32 1, ptr @eof, i64 5)
  ret i32 3
}
"#;

pub const PARSE_PANIC_IR: &str = r#"
@before = private constant [7 x i8] c"before\0A"
@bad = private constant [3 x i8] c"abc"
declare void @clef_rt_write(i32, ptr, i64)
declare i64 @clef_rt_parse_int(ptr, i64, i32, i8 zeroext)
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_write(i32 1, ptr @before, i64 7)
  %value = call i64 @clef_rt_parse_int(ptr @bad, i64 3, i32 32, i8 1)
  ret i32 0
}
"#;

pub const FAILWITHF_IR: &str = r#"
@boom = private constant [5 x i8] c"boom "
declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_finish_panic()
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @boom, i64 5)
  call void @clef_rt_fmt_int(i64 %argc, i32 64, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_panic()
  unreachable
}
"#;

/// Faults by the number of arguments: 0 a load from address 0x10, 1 a trap
/// (`ud2` on x86_64, `brk` on aarch64), 2 an integer division by zero (which
/// traps on x86_64 only), 3 unbounded recursion. Each first
/// writes `before` into the stdout buffer, which the fault handler must flush.
pub const FAULT_IR: &str = r#"
@before = private constant [7 x i8] c"before\0A"
declare void @clef_rt_write(i32, ptr, i64)
declare void @llvm.trap()
define i64 @deep(i64 %n) {
  %next = add i64 %n, 1
  %r = call i64 @deep(i64 %next)
  %x = xor i64 %r, %n
  %m = mul i64 %x, 3
  ret i64 %m
}
define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %slot = alloca i64
  store volatile i64 0, ptr %slot
  call void @clef_rt_write(i32 1, ptr @before, i64 7)
  switch i64 %argc, label %segv [ i64 1, label %trap
                                  i64 2, label %div
                                  i64 3, label %deep ]
segv:
  %v = load volatile i64, ptr inttoptr (i64 16 to ptr)
  %t = trunc i64 %v to i32
  ret i32 %t
trap:
  call void @llvm.trap()
  unreachable
div:
  %zero = load volatile i64, ptr %slot
  %q = sdiv i64 7, %zero
  %tq = trunc i64 %q to i32
  ret i32 %tq
deep:
  %d = call i64 @deep(i64 0)
  %td = trunc i64 %d to i32
  ret i32 %td
}
"#;

/// `clef_rt_exit` from inside the program: stdout is flushed, the status is
/// the argument, and nothing after the call runs.
pub const EXIT_IR: &str = r#"
@bye = private constant [4 x i8] c"bye\0A"
@after = private constant [6 x i8] c"after\0A"
declare void @clef_rt_write(i32, ptr, i64)
declare void @clef_rt_exit(i32)
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_write(i32 1, ptr @bye, i64 4)
  call void @clef_rt_exit(i32 42)
  call void @clef_rt_write(i32 1, ptr @after, i64 6)
  ret i32 0
}
"#;

/// Twenty rounds of a loop's iteration region: under a mark, 40 blocks of
/// 64 KiB (three 1 MiB chunks) and one of 512 KiB (a mapping of its own), each
/// block's first and last byte written and read back, then a reset (chunks go
/// to the spare list or are unmapped, the large block is unmapped). Then the
/// mark is released and one more block allocated. With allocation counting on,
/// the peak stays one round's worth. Prints `regions ok`, or `bad` and exits 1.
pub const REGION_IR: &str = r#"
@ok = private constant [11 x i8] c"regions ok\0A"
@bad = private constant [4 x i8] c"bad\0A"
declare void @clef_rt_write(i32, ptr, i64)
declare void @clef_rt_enable_alloc_stats()
declare i64 @clef_rt_region_mark()
declare void @clef_rt_region_reset(i64)
declare void @clef_rt_region_release(i64)
declare ptr @clef_rt_alloc(i64, i64)

define i64 @block_size(i64 %block) {
  %large = icmp eq i64 %block, 40
  %size = select i1 %large, i64 524288, i64 65536
  ret i64 %size
}

define i8 @stamp(i64 %round, i64 %block) {
  %r = mul i64 %round, 41
  %s = add i64 %r, %block
  %b = trunc i64 %s to i8
  ret i8 %b
}

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %blocks = alloca [41 x ptr]
  call void @clef_rt_enable_alloc_stats()
  %mark = call i64 @clef_rt_region_mark()
  br label %round

round:
  %r = phi i64 [ 0, %entry ], [ %r.next, %reset ]
  br label %fill

fill:
  %f = phi i64 [ 0, %round ], [ %f.next, %fill ]
  %f.size = call i64 @block_size(i64 %f)
  %f.ptr = call ptr @clef_rt_alloc(i64 %f.size, i64 16)
  %f.slot = getelementptr [41 x ptr], ptr %blocks, i64 0, i64 %f
  store ptr %f.ptr, ptr %f.slot
  %f.stamp = call i8 @stamp(i64 %r, i64 %f)
  store i8 %f.stamp, ptr %f.ptr
  %f.last.at = add i64 %f.size, -1
  %f.last = getelementptr i8, ptr %f.ptr, i64 %f.last.at
  store i8 %f.stamp, ptr %f.last
  %f.next = add i64 %f, 1
  %f.more = icmp ult i64 %f.next, 41
  br i1 %f.more, label %fill, label %check

check:
  %c = phi i64 [ 0, %fill ], [ %c.next, %check.next ]
  %c.size = call i64 @block_size(i64 %c)
  %c.slot = getelementptr [41 x ptr], ptr %blocks, i64 0, i64 %c
  %c.ptr = load ptr, ptr %c.slot
  %c.stamp = call i8 @stamp(i64 %r, i64 %c)
  %c.first = load i8, ptr %c.ptr
  %c.last.at = add i64 %c.size, -1
  %c.last.ptr = getelementptr i8, ptr %c.ptr, i64 %c.last.at
  %c.last = load i8, ptr %c.last.ptr
  %c.first.ok = icmp eq i8 %c.first, %c.stamp
  %c.last.ok = icmp eq i8 %c.last, %c.stamp
  %c.ok = and i1 %c.first.ok, %c.last.ok
  br i1 %c.ok, label %check.next, label %bad

check.next:
  %c.next = add i64 %c, 1
  %c.more = icmp ult i64 %c.next, 41
  br i1 %c.more, label %check, label %reset

reset:
  call void @clef_rt_region_reset(i64 %mark)
  %r.next = add i64 %r, 1
  %r.more = icmp ult i64 %r.next, 20
  br i1 %r.more, label %round, label %done

done:
  call void @clef_rt_region_release(i64 %mark)
  %last = call ptr @clef_rt_alloc(i64 16, i64 8)
  store i64 7, ptr %last
  call void @clef_rt_write(i32 1, ptr @ok, i64 11)
  ret i32 0

bad:
  call void @clef_rt_write(i32 1, ptr @bad, i64 4)
  ret i32 1
}
"#;

/// `memcpy`, `memmove` (both directions, overlapping) and `memset` for every
/// length 0..=100 and destination and source offsets 0..16 (so every path of
/// a word-at-a-time loop: blocks, words, tail bytes, misalignment), each
/// checked byte by byte over a 128-byte buffer against what it should hold.
/// Prints `mem ok`, or the failing case (`mode` 0 memcpy, 1 memmove, 2 memset)
/// and exits 1.
pub const MEM_IR: &str = r#"
@src = global [128 x i8] zeroinitializer
@dst = global [128 x i8] zeroinitializer
@ok = private constant [7 x i8] c"mem ok\0A"
@failed = private constant [13 x i8] c"failed: mode="
@case_eq = private constant [6 x i8] c" case="
declare void @clef_rt_write(i32, ptr, i64)
declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_finish_write(i32, i8 zeroext)
declare ptr @memcpy(ptr, ptr, i64)
declare ptr @memmove(ptr, ptr, i64)
declare ptr @memset(ptr, i32, i64)

; The byte a patterned buffer holds at %i.
define i8 @pattern(i64 %i) {
  %m = mul i64 %i, 7
  %a = add i64 %m, 1
  %b = trunc i64 %a to i8
  ret i8 %b
}

; Fills a buffer with the pattern or with 0xEE.
define void @init(ptr %buf, i1 %patterned) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %p = call i8 @pattern(i64 %i)
  %v = select i1 %patterned, i8 %p, i8 -18
  %at = getelementptr i8, ptr %buf, i64 %i
  store i8 %v, ptr %at
  %next = add i64 %i, 1
  %more = icmp ult i64 %next, 128
  br i1 %more, label %loop, label %done
done:
  ret void
}

; What @dst must hold at %k after the operation.
define i8 @expected(i32 %mode, i64 %k, i64 %doff, i64 %soff, i64 %len) {
entry:
  %lo = icmp uge i64 %k, %doff
  %end = add i64 %doff, %len
  %hi = icmp ult i64 %k, %end
  %inside = and i1 %lo, %hi
  %from = sub i64 %k, %doff
  %from.src = add i64 %from, %soff
  %copied = call i8 @pattern(i64 %from.src)
  %orig = call i8 @pattern(i64 %k)
  switch i32 %mode, label %set [ i32 0, label %copy
                                 i32 1, label %move ]
copy:
  %c = select i1 %inside, i8 %copied, i8 -18
  ret i8 %c
move:
  %m = select i1 %inside, i8 %copied, i8 %orig
  ret i8 %m
set:
  %s = select i1 %inside, i8 90, i8 -18
  ret i8 %s
}

; One operation on @dst (memmove within @dst), then the check.
define i1 @one_case(i32 %mode, i64 %doff, i64 %soff, i64 %len) {
entry:
  %is_move = icmp eq i32 %mode, 1
  call void @init(ptr @dst, i1 %is_move)
  %d = getelementptr i8, ptr @dst, i64 %doff
  %s.copy = getelementptr i8, ptr @src, i64 %soff
  %s.move = getelementptr i8, ptr @dst, i64 %soff
  switch i32 %mode, label %set [ i32 0, label %copy
                                 i32 1, label %move ]
copy:
  %r.copy = call ptr @memcpy(ptr %d, ptr %s.copy, i64 %len)
  br label %check
move:
  %r.move = call ptr @memmove(ptr %d, ptr %s.move, i64 %len)
  br label %check
set:
  %r.set = call ptr @memset(ptr %d, i32 90, i64 %len)
  br label %check
check:
  br label %loop
loop:
  %k = phi i64 [ 0, %check ], [ %next, %same ]
  %at = getelementptr i8, ptr @dst, i64 %k
  %got = load i8, ptr %at
  %want = call i8 @expected(i32 %mode, i64 %k, i64 %doff, i64 %soff, i64 %len)
  %equal = icmp eq i8 %got, %want
  br i1 %equal, label %same, label %bad
same:
  %next = add i64 %k, 1
  %more = icmp ult i64 %next, 128
  br i1 %more, label %loop, label %good
good:
  ret i1 1
bad:
  ret i1 0
}

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  call void @init(ptr @src, i1 1)
  br label %mode
mode:
  %mode.n = phi i32 [ 0, %entry ], [ %mode.next, %mode.done ]
  br label %case
case:
  ; case = len * 256 + doff * 16 + soff
  %n = phi i64 [ 0, %mode ], [ %n.next, %case.ok ]
  %len = lshr i64 %n, 8
  %doff.all = lshr i64 %n, 4
  %doff = and i64 %doff.all, 15
  %soff = and i64 %n, 15
  %good = call i1 @one_case(i32 %mode.n, i64 %doff, i64 %soff, i64 %len)
  br i1 %good, label %case.ok, label %failed
case.ok:
  %n.next = add i64 %n, 1
  %n.more = icmp ult i64 %n.next, 25856
  br i1 %n.more, label %case, label %mode.done
mode.done:
  %mode.next = add i32 %mode.n, 1
  %mode.more = icmp ult i32 %mode.next, 3
  br i1 %mode.more, label %mode, label %all_ok
all_ok:
  call void @clef_rt_write(i32 1, ptr @ok, i64 7)
  ret i32 0
failed:
  %mode.wide = zext i32 %mode.n to i64
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @failed, i64 13)
  call void @clef_rt_fmt_int(i64 %mode.wide, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @case_eq, i64 6)
  call void @clef_rt_fmt_int(i64 %n, i32 64, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)
  ret i32 1
}
"#;

/// The async executor driven the way compiled async code drives it: resume
/// functions `i8 (ptr frame)` over frames in globals. Without arguments it runs
/// the scenarios its comments name, printing what happens; with an argument its
/// root waits for nothing and the executor reports the deadlock.
pub const ASYNC_IR: &str = r#"
%Str = type { ptr, i64 }
%JoinFrame = type { i64, [8 x ptr] }

@txt_done = private constant [5 x i8] c"done="
@txt_c = private constant [1 x i8] c"c"
@txt_eq = private constant [1 x i8] c"="
@txt_all_done = private constant [8 x i8] c"all done"
@txt_timer = private constant [6 x i8] c"timer "
@txt_slept = private constant [6 x i8] c"slept="
@txt_watcher = private constant [8 x i8] c"watcher "
@txt_writable = private constant [18 x i8] c"stdout is writable"
@txt_read = private constant [5 x i8] c"read "
@txt_outer_before = private constant [12 x i8] c"outer before"
@txt_outer_after = private constant [11 x i8] c"outer after"
@txt_outer_resumed = private constant [13 x i8] c"outer resumed"
@txt_inner_0 = private constant [7 x i8] c"inner 0"
@txt_inner_1 = private constant [7 x i8] c"inner 1"
@txt_recycled = private constant [8 x i8] c"recycled"
@txt_before = private constant [6 x i8] c"before"

; counter frames: id, count, limit
@counter_a = private global [3 x i64] [i64 1, i64 0, i64 2]
@counter_b = private global [3 x i64] [i64 2, i64 0, i64 2]
@counter_x = private global [3 x i64] [i64 3, i64 0, i64 0]
; sleeper frames: id, deadline
@sleeper_1 = private global [2 x i64] [i64 1, i64 0]
@sleeper_2 = private global [2 x i64] [i64 2, i64 0]
@sleeper_3 = private global [2 x i64] [i64 3, i64 0]
@sleeper_4 = private global [2 x i64] [i64 4, i64 0]
@sleeper_5 = private global [2 x i64] [i64 5, i64 0]
; watcher frames: id, the task watched
@watcher_1 = private global { i64, ptr } { i64 1, ptr null }
@watcher_2 = private global { i64, ptr } { i64 2, ptr null }
; reader frame: state, the line read
@reader_frame = private global { i64, %Str } zeroinitializer
@writer_frame = private global i64 0
@nester_frame = private global i64 0
@inner_frame = private global i64 0
@inner_frame2 = private global i64 0
@join1 = private global %JoinFrame zeroinitializer
@join2 = private global %JoinFrame zeroinitializer
@join3 = private global %JoinFrame zeroinitializer
@join4 = private global %JoinFrame zeroinitializer
@join5 = private global %JoinFrame zeroinitializer
@finished_handle = private global ptr null

declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8, i32, i32, i32, i32)
declare void @clef_rt_fmt_finish_write(i32, i8)
declare i8 @clef_rt_try_readln(ptr)
declare i8 @clef_rt_async_run(ptr, ptr, ptr)
declare ptr @clef_rt_async_spawn(ptr, ptr, ptr)
declare i8 @clef_rt_async_done(ptr)
declare void @clef_rt_async_join(ptr)
declare i64 @clef_rt_async_now()
declare void @clef_rt_async_wake_at(i64)
declare void @clef_rt_async_wait_fd(i32, i8)
declare void @clef_rt_async_yield()

define void @say(ptr %text, i64 %len) {
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr %text, i64 %len)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)
  ret void
}

define void @say_int(ptr %text, i64 %len, i64 %n) {
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr %text, i64 %len)
  call void @clef_rt_fmt_int(i64 %n, i32 64, i8 1, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)
  ret void
}

; "c<id>=<count>", then: below the limit, count + 1 and yield; else finished.
define i8 @counter(ptr %f) {
entry:
  %id = load i64, ptr %f
  %count.at = getelementptr i8, ptr %f, i64 8
  %count = load i64, ptr %count.at
  %limit.at = getelementptr i8, ptr %f, i64 16
  %limit = load i64, ptr %limit.at
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @txt_c, i64 1)
  call void @clef_rt_fmt_int(i64 %id, i32 64, i8 1, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @txt_eq, i64 1)
  call void @clef_rt_fmt_int(i64 %count, i32 64, i8 1, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)
  %more = icmp slt i64 %count, %limit
  br i1 %more, label %again, label %finished
again:
  %next = add i64 %count, 1
  store i64 %next, ptr %count.at
  call void @clef_rt_async_yield()
  ret i8 0
finished:
  ret i8 1
}

; Waits for the n tasks of its frame, in order, then prints "all done".
define i8 @join_all(ptr %f) {
entry:
  %n = load i64, ptr %f
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %check ]
  %more = icmp slt i64 %i, %n
  br i1 %more, label %look, label %all
look:
  %offset.words = add i64 %i, 1
  %offset = shl i64 %offset.words, 3
  %slot = getelementptr i8, ptr %f, i64 %offset
  %task = load ptr, ptr %slot
  %done = call i8 @clef_rt_async_done(ptr %task)
  %next = add i64 %i, 1
  br label %check
check:
  %is_done = icmp ne i8 %done, 0
  br i1 %is_done, label %loop, label %wait
wait:
  call void @clef_rt_async_join(ptr %task)
  ret i8 0
all:
  call void @say(ptr @txt_all_done, i64 8)
  ret i8 1
}

; A sleep leaf: finished once the clock reaches its deadline.
define i8 @sleeper(ptr %f) {
entry:
  %id = load i64, ptr %f
  %deadline.at = getelementptr i8, ptr %f, i64 8
  %deadline = load i64, ptr %deadline.at
  %now = call i64 @clef_rt_async_now()
  %due = icmp sge i64 %now, %deadline
  br i1 %due, label %fire, label %wait
wait:
  call void @clef_rt_async_wake_at(i64 %deadline)
  ret i8 0
fire:
  call void @say_int(ptr @txt_timer, i64 6, i64 %id)
  ret i8 1
}

; Finished once the task it watches has finished.
define i8 @watcher(ptr %f) {
entry:
  %id = load i64, ptr %f
  %target.at = getelementptr i8, ptr %f, i64 8
  %target = load ptr, ptr %target.at
  %done = call i8 @clef_rt_async_done(ptr %target)
  %is_done = icmp ne i8 %done, 0
  br i1 %is_done, label %fire, label %wait
wait:
  call void @clef_rt_async_join(ptr %target)
  ret i8 0
fire:
  call void @say_int(ptr @txt_watcher, i64 8, i64 %id)
  ret i8 1
}

; Waits for a descriptor that is not open (woken at once), then for stdin,
; then reads a line.
define i8 @reader(ptr %f) {
entry:
  %state = load i64, ptr %f
  switch i64 %state, label %read [ i64 0, label %bad_fd
                                   i64 1, label %stdin ]
bad_fd:
  store i64 1, ptr %f
  call void @clef_rt_async_wait_fd(i32 12345, i8 0)
  ret i8 0
stdin:
  store i64 2, ptr %f
  call void @clef_rt_async_wait_fd(i32 0, i8 0)
  ret i8 0
read:
  %line = getelementptr i8, ptr %f, i64 8
  %got = call i8 @clef_rt_try_readln(ptr %line)
  ret i8 1
}

define i8 @writer(ptr %f) {
entry:
  %state = load i64, ptr %f
  %first = icmp eq i64 %state, 0
  br i1 %first, label %wait, label %ready
wait:
  store i64 1, ptr %f
  call void @clef_rt_async_wait_fd(i32 1, i8 1)
  ret i8 0
ready:
  call void @say(ptr @txt_writable, i64 18)
  ret i8 1
}

; Yields (so it is queued while it runs), spawns a counter, and runs a nested
; loop: that loop runs the counter and its own root, but must not resume this
; task, which it finds in the ready queue.
define i8 @nester(ptr %f) {
entry:
  %state = load i64, ptr %f
  %first = icmp eq i64 %state, 0
  br i1 %first, label %start, label %again
start:
  store i64 1, ptr %f
  call void @clef_rt_async_yield()
  call void @say(ptr @txt_outer_before, i64 12)
  %x = call ptr @clef_rt_async_spawn(ptr @counter, ptr @counter_x, ptr null)
  call i8 @clef_rt_async_run(ptr @inner, ptr @inner_frame, ptr null)
  call void @say(ptr @txt_outer_after, i64 11)
  ret i8 0
again:
  call void @say(ptr @txt_outer_resumed, i64 13)
  ret i8 1
}

define i8 @inner(ptr %f) {
entry:
  %state = load i64, ptr %f
  %first = icmp eq i64 %state, 0
  br i1 %first, label %start, label %again
start:
  store i64 1, ptr %f
  call void @say(ptr @txt_inner_0, i64 7)
  call void @clef_rt_async_yield()
  ret i8 0
again:
  call void @say(ptr @txt_inner_1, i64 7)
  ret i8 1
}

; Joins a finished task (so it is queued again at once) and finishes anyway:
; its record is freed when the stale queue entry is taken.
define i8 @early(ptr %f) {
  %task = load ptr, ptr @finished_handle
  call void @clef_rt_async_join(ptr %task)
  ret i8 1
}

; Waits for nothing: nothing can ever wake it.
define i8 @stuck(ptr %f) {
  ret i8 0
}

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %deadlock = icmp sgt i64 %argc, 0
  br i1 %deadlock, label %stuck_run, label %main
stuck_run:
  call void @say(ptr @txt_before, i64 6)
  call i8 @clef_rt_async_run(ptr @stuck, ptr null, ptr null)
  ret i32 0
main:
  ; Outside any task these do nothing.
  call void @clef_rt_async_yield()
  call void @clef_rt_async_wake_at(i64 0)
  call void @clef_rt_async_wait_fd(i32 0, i8 0)

  ; 1. Two counters yielding in turn; a root joined on both.
  %a = call ptr @clef_rt_async_spawn(ptr @counter, ptr @counter_a, ptr null)
  %b = call ptr @clef_rt_async_spawn(ptr @counter, ptr @counter_b, ptr null)
  call void @clef_rt_async_join(ptr %a)
  %a.done0 = call i8 @clef_rt_async_done(ptr %a)
  %a.done0.wide = zext i8 %a.done0 to i64
  call void @say_int(ptr @txt_done, i64 5, i64 %a.done0.wide)
  store i64 2, ptr @join1
  store ptr %a, ptr getelementptr (i8, ptr @join1, i64 8)
  store ptr %b, ptr getelementptr (i8, ptr @join1, i64 16)
  call i8 @clef_rt_async_run(ptr @join_all, ptr @join1, ptr null)
  %a.done1 = call i8 @clef_rt_async_done(ptr %a)
  %a.done1.wide = zext i8 %a.done1 to i64
  call void @say_int(ptr @txt_done, i64 5, i64 %a.done1.wide)

  ; 2. Timers: deadlines 300, 100, 200 and 100 ms from now fire in deadline
  ; order, equal ones in the order they were set.
  %base = call i64 @clef_rt_async_now()
  %d1 = add i64 %base, 300000000
  %d2 = add i64 %base, 100000000
  %d3 = add i64 %base, 200000000
  store i64 %d1, ptr getelementptr (i8, ptr @sleeper_1, i64 8)
  store i64 %d2, ptr getelementptr (i8, ptr @sleeper_2, i64 8)
  store i64 %d3, ptr getelementptr (i8, ptr @sleeper_3, i64 8)
  store i64 %d2, ptr getelementptr (i8, ptr @sleeper_4, i64 8)
  %s1 = call ptr @clef_rt_async_spawn(ptr @sleeper, ptr @sleeper_1, ptr null)
  %s2 = call ptr @clef_rt_async_spawn(ptr @sleeper, ptr @sleeper_2, ptr null)
  %s3 = call ptr @clef_rt_async_spawn(ptr @sleeper, ptr @sleeper_3, ptr null)
  %s4 = call ptr @clef_rt_async_spawn(ptr @sleeper, ptr @sleeper_4, ptr null)
  store i64 4, ptr @join2
  store ptr %s1, ptr getelementptr (i8, ptr @join2, i64 8)
  store ptr %s2, ptr getelementptr (i8, ptr @join2, i64 16)
  store ptr %s3, ptr getelementptr (i8, ptr @join2, i64 24)
  store ptr %s4, ptr getelementptr (i8, ptr @join2, i64 32)
  call i8 @clef_rt_async_run(ptr @join_all, ptr @join2, ptr null)
  %end = call i64 @clef_rt_async_now()
  %slept.ok = icmp sge i64 %end, %d1
  %slept.wide = zext i1 %slept.ok to i64
  call void @say_int(ptr @txt_slept, i64 6, i64 %slept.wide)

  ; 3. Two tasks joined on one sleeper, woken in the order they joined.
  %base5 = call i64 @clef_rt_async_now()
  %d5 = add i64 %base5, 50000000
  store i64 %d5, ptr getelementptr (i8, ptr @sleeper_5, i64 8)
  %s5 = call ptr @clef_rt_async_spawn(ptr @sleeper, ptr @sleeper_5, ptr null)
  store ptr %s5, ptr getelementptr (i8, ptr @watcher_1, i64 8)
  store ptr %s5, ptr getelementptr (i8, ptr @watcher_2, i64 8)
  %w1 = call ptr @clef_rt_async_spawn(ptr @watcher, ptr @watcher_1, ptr null)
  %w2 = call ptr @clef_rt_async_spawn(ptr @watcher, ptr @watcher_2, ptr null)
  store i64 2, ptr @join3
  store ptr %w1, ptr getelementptr (i8, ptr @join3, i64 8)
  store ptr %w2, ptr getelementptr (i8, ptr @join3, i64 16)
  call i8 @clef_rt_async_run(ptr @join_all, ptr @join3, ptr null)

  ; 4. Descriptors: stdin readable, stdout writable.
  %reader.task = call ptr @clef_rt_async_spawn(ptr @reader, ptr @reader_frame, ptr null)
  %writer.task = call ptr @clef_rt_async_spawn(ptr @writer, ptr @writer_frame, ptr null)
  store i64 2, ptr @join4
  store ptr %reader.task, ptr getelementptr (i8, ptr @join4, i64 8)
  store ptr %writer.task, ptr getelementptr (i8, ptr @join4, i64 16)
  call i8 @clef_rt_async_run(ptr @join_all, ptr @join4, ptr null)
  %line = load %Str, ptr getelementptr (i8, ptr @reader_frame, i64 8)
  %line.ptr = extractvalue %Str %line, 0
  %line.len = extractvalue %Str %line, 1
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @txt_read, i64 5)
  call void @clef_rt_fmt_literal(ptr %line.ptr, i64 %line.len)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; 5. A nested loop inside a task.
  %nester.task = call ptr @clef_rt_async_spawn(ptr @nester, ptr @nester_frame, ptr null)
  store i64 1, ptr @join5
  store ptr %nester.task, ptr getelementptr (i8, ptr @join5, i64 8)
  call i8 @clef_rt_async_run(ptr @join_all, ptr @join5, ptr null)

  ; 6. Roots finished while queued: 1000 runs leave stale queue entries, a run
  ; that yields takes (and frees) them, 1000 more runs reuse the records.
  store ptr %a, ptr @finished_handle
  br label %early.first
early.first:
  %i = phi i64 [ 0, %main ], [ %i.next, %early.first ]
  call i8 @clef_rt_async_run(ptr @early, ptr null, ptr null)
  %i.next = add i64 %i, 1
  %i.more = icmp slt i64 %i.next, 1000
  br i1 %i.more, label %early.first, label %drain
drain:
  call i8 @clef_rt_async_run(ptr @inner, ptr @inner_frame2, ptr null)
  br label %early.again
early.again:
  %j = phi i64 [ 0, %drain ], [ %j.next, %early.again ]
  call i8 @clef_rt_async_run(ptr @early, ptr null, ptr null)
  %j.next = add i64 %j, 1
  %j.more = icmp slt i64 %j.next, 1000
  br i1 %j.more, label %early.again, label %finish
finish:
  call void @say(ptr @txt_recycled, i64 8)
  ret i32 0
}
"#;

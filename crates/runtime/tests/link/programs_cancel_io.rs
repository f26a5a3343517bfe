//! The LLVM IR programs of the cancellation and I/O link tests: hand-written
//! resume functions `i8 (ptr frame)` that answer 0 (pending), 1 (finished) or
//! 3 (cancelled), as the compiled state machines do, and the non-blocking
//! descriptor functions called the way generated code calls them.

/// Cancellation. Without arguments: a source cancelled by another task wakes
/// a sleeping task and one joined on a task that never finishes (both end
/// with 3), not a task with another token; `cancel_after` ends a run's root,
/// a later call replaces the deadline, 0 cancels at once, -1 never; the token
/// of the current task, inherited by spawned children and nested runs, not by
/// a child given its own. With `deadlock`: a pending `cancel_after` of a
/// source no task has does not keep the deadlock from being reported at once.
pub const CANCEL_IR: &str = r#"
%JoinFrame = type { i64, [8 x ptr] }

@txt_all_done = private constant [8 x i8] c"all done"
@txt_cancelled = private constant [10 x i8] c"cancelled "
@txt_woke = private constant [5 x i8] c"woke "
@txt_cancelling = private constant [10 x i8] c"cancelling"
@txt_joiner_cancelled = private constant [16 x i8] c"joiner cancelled"
@txt_joiner_saw = private constant [10 x i8] c"joiner saw"
@txt_before = private constant [14 x i8] c"before cancel="
@txt_after = private constant [13 x i8] c"after cancel="
@txt_run = private constant [4 x i8] c"run="
@txt_p1 = private constant [3 x i8] c"p1="
@txt_p2 = private constant [3 x i8] c"p2="
@txt_j1 = private constant [3 x i8] c"j1="
@txt_c = private constant [2 x i8] c"c="
@txt_fast = private constant [5 x i8] c"fast="
@txt_waited = private constant [7 x i8] c"waited="
@txt_replaced = private constant [9 x i8] c"replaced="
@txt_until = private constant [20 x i8] c"until cancelled run="
@txt_at_once = private constant [8 x i8] c"at once="
@txt_never = private constant [6 x i8] c"never="
@txt_outside_token = private constant [19 x i8] c"outside token null="
@txt_outside_cancelled = private constant [18 x i8] c"outside cancelled="
@txt_token = private constant [14 x i8] c"token matches="
@txt_self_cancelled = private constant [10 x i8] c"cancelled="
@txt_nested_token = private constant [21 x i8] c"nested token matches="
@txt_nested_run = private constant [11 x i8] c"nested run="
@txt_child_token = private constant [20 x i8] c"child token matches="
@txt_child_cancelled = private constant [16 x i8] c"child cancelled="
@txt_other_token = private constant [20 x i8] c"other token matches="
@txt_other_cancelled = private constant [16 x i8] c"other cancelled="
@txt_child_answer = private constant [13 x i8] c"child answer="
@txt_inspector_run = private constant [14 x i8] c"inspector run="
@txt_deadlock_before = private constant [6 x i8] c"before"

; patient frames: id, deadline (0: not set yet)
@patient_1 = private global [2 x i64] [i64 1, i64 0]
@patient_2 = private global [2 x i64] [i64 2, i64 0]
@patient_3 = private global [2 x i64] [i64 3, i64 0]
@patient_4 = private global [2 x i64] [i64 4, i64 0]
; joiner frame: the task it waits for
@joiner_frame = private global ptr null
; canceller frame: the source it cancels
@canceller_frame = private global ptr null
; inspector frame: state, its token, the other token, the child
@inspector_frame = private global { i64, ptr, ptr, ptr } zeroinitializer
; child frames: the token they should have
@child_frame = private global ptr null
@other_frame = private global ptr null
@nested_frame = private global ptr null
@join1 = private global %JoinFrame zeroinitializer

declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8, i32, i32, i32, i32)
declare void @clef_rt_fmt_finish_write(i32, i8)
declare i8 @clef_rt_async_run(ptr, ptr, ptr)
declare ptr @clef_rt_async_spawn(ptr, ptr, ptr)
declare i8 @clef_rt_async_done(ptr)
declare void @clef_rt_async_join(ptr)
declare i64 @clef_rt_async_now()
declare void @clef_rt_async_wake_at(i64)
declare i8 @clef_rt_async_cancelled()
declare ptr @clef_rt_async_token()
declare ptr @clef_rt_cts_create()
declare void @clef_rt_cts_cancel(ptr)
declare i8 @clef_rt_cts_is_cancelled(ptr)
declare void @clef_rt_cts_cancel_after(ptr, i64)

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

define void @say_byte(ptr %text, i64 %len, i8 %b) {
  %wide = zext i8 %b to i64
  call void @say_int(ptr %text, i64 %len, i64 %wide)
  ret void
}

define void @say_bool(ptr %text, i64 %len, i1 %b) {
  %wide = zext i1 %b to i64
  call void @say_int(ptr %text, i64 %len, i64 %wide)
  ret void
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

; Sleeps 10 s ("woke <id>", 1) unless its token is cancelled first
; ("cancelled <id>", 3).
define i8 @patient(ptr %f) {
entry:
  %id = load i64, ptr %f
  %cancelled = call i8 @clef_rt_async_cancelled()
  %is_cancelled = icmp ne i8 %cancelled, 0
  br i1 %is_cancelled, label %end_cancelled, label %check
end_cancelled:
  call void @say_int(ptr @txt_cancelled, i64 10, i64 %id)
  ret i8 3
check:
  %deadline.at = getelementptr i8, ptr %f, i64 8
  %deadline.old = load i64, ptr %deadline.at
  %unset = icmp eq i64 %deadline.old, 0
  br i1 %unset, label %set, label %sleep
set:
  %start = call i64 @clef_rt_async_now()
  %deadline.new = add i64 %start, 10000000000
  store i64 %deadline.new, ptr %deadline.at
  br label %sleep
sleep:
  %deadline = phi i64 [ %deadline.old, %check ], [ %deadline.new, %set ]
  %now = call i64 @clef_rt_async_now()
  %due = icmp sge i64 %now, %deadline
  br i1 %due, label %woke, label %wait
wait:
  call void @clef_rt_async_wake_at(i64 %deadline)
  ret i8 0
woke:
  call void @say_int(ptr @txt_woke, i64 5, i64 %id)
  ret i8 1
}

; Waits for the task of its frame; ends with 3 when cancelled first.
define i8 @joiner(ptr %f) {
entry:
  %cancelled = call i8 @clef_rt_async_cancelled()
  %is_cancelled = icmp ne i8 %cancelled, 0
  br i1 %is_cancelled, label %end_cancelled, label %check
end_cancelled:
  call void @say(ptr @txt_joiner_cancelled, i64 16)
  ret i8 3
check:
  %target = load ptr, ptr %f
  %done = call i8 @clef_rt_async_done(ptr %target)
  %is_done = icmp ne i8 %done, 0
  br i1 %is_done, label %saw, label %wait
wait:
  call void @clef_rt_async_join(ptr %target)
  ret i8 0
saw:
  call void @say(ptr @txt_joiner_saw, i64 10)
  ret i8 1
}

; Cancels the source of its frame, twice (the second does nothing).
define i8 @canceller(ptr %f) {
  %source = load ptr, ptr %f
  call void @say(ptr @txt_cancelling, i64 10)
  call void @clef_rt_cts_cancel(ptr %source)
  call void @clef_rt_cts_cancel(ptr %source)
  ret i8 1
}

; Waits for nothing; ends with 3 once its token is cancelled.
define i8 @until_cancelled(ptr %f) {
  %cancelled = call i8 @clef_rt_async_cancelled()
  %is_cancelled = icmp ne i8 %cancelled, 0
  %answer = select i1 %is_cancelled, i8 3, i8 0
  ret i8 %answer
}

; Waits for nothing: nothing can ever wake it.
define i8 @stuck(ptr %f) {
  ret i8 0
}

; Prints whether its token is the one in its frame and whether it is
; cancelled; ends with 3 if it is, else 1.
define i8 @check_token(ptr %f, ptr %txt_token, i64 %token_len, ptr %txt_cancel, i64 %cancel_len) {
  %expected = load ptr, ptr %f
  %token = call ptr @clef_rt_async_token()
  %same = icmp eq ptr %token, %expected
  call void @say_bool(ptr %txt_token, i64 %token_len, i1 %same)
  %cancelled = call i8 @clef_rt_async_cancelled()
  %is_cancelled = icmp ne i8 %cancelled, 0
  br i1 %is_cancelled, label %end_cancelled, label %end
end_cancelled:
  call void @say_byte(ptr %txt_cancel, i64 %cancel_len, i8 %cancelled)
  ret i8 3
end:
  call void @say_byte(ptr %txt_cancel, i64 %cancel_len, i8 %cancelled)
  ret i8 1
}

define i8 @child(ptr %f) {
  %answer = call i8 @check_token(ptr %f, ptr @txt_child_token, i64 20, ptr @txt_child_cancelled, i64 16)
  ret i8 %answer
}

define i8 @other(ptr %f) {
  %answer = call i8 @check_token(ptr %f, ptr @txt_other_token, i64 20, ptr @txt_other_cancelled, i64 16)
  ret i8 %answer
}

define i8 @nested(ptr %f) {
  %expected = load ptr, ptr %f
  %token = call ptr @clef_rt_async_token()
  %same = icmp eq ptr %token, %expected
  call void @say_bool(ptr @txt_nested_token, i64 21, i1 %same)
  ret i8 1
}

; The root of a run with a token: checks it, spawns a child that inherits it
; and one with its own, runs a nested loop that inherits it, cancels it
; (itself included), then waits for the child and ends with 3.
define i8 @inspector(ptr %f) {
entry:
  %state = load i64, ptr %f
  %token.at = getelementptr i8, ptr %f, i64 8
  %other.at = getelementptr i8, ptr %f, i64 16
  %child.at = getelementptr i8, ptr %f, i64 24
  %first = icmp eq i64 %state, 0
  br i1 %first, label %start, label %again
start:
  store i64 1, ptr %f
  %expected = load ptr, ptr %token.at
  %token = call ptr @clef_rt_async_token()
  %same = icmp eq ptr %token, %expected
  call void @say_bool(ptr @txt_token, i64 14, i1 %same)
  %cancelled0 = call i8 @clef_rt_async_cancelled()
  call void @say_byte(ptr @txt_self_cancelled, i64 10, i8 %cancelled0)
  store ptr %expected, ptr @child_frame
  %child = call ptr @clef_rt_async_spawn(ptr @child, ptr @child_frame, ptr null)
  store ptr %child, ptr %child.at
  %other_source = load ptr, ptr %other.at
  store ptr %other_source, ptr @other_frame
  %other = call ptr @clef_rt_async_spawn(ptr @other, ptr @other_frame, ptr %other_source)
  store ptr %expected, ptr @nested_frame
  %nested = call i8 @clef_rt_async_run(ptr @nested, ptr @nested_frame, ptr null)
  call void @say_byte(ptr @txt_nested_run, i64 11, i8 %nested)
  call void @clef_rt_cts_cancel(ptr %expected)
  %cancelled1 = call i8 @clef_rt_async_cancelled()
  call void @say_byte(ptr @txt_self_cancelled, i64 10, i8 %cancelled1)
  call void @clef_rt_async_join(ptr %child)
  ret i8 0
again:
  %child.again = load ptr, ptr %child.at
  %answer = call i8 @clef_rt_async_done(ptr %child.again)
  %child_done = icmp ne i8 %answer, 0
  br i1 %child_done, label %finish, label %wait
wait:
  call void @clef_rt_async_join(ptr %child.again)
  ret i8 0
finish:
  call void @say_byte(ptr @txt_child_answer, i64 13, i8 %answer)
  ret i8 3
}

; Whether at least `ms` and less than 5 s passed since `start`.
define i1 @took_at_least(i64 %start, i64 %ms) {
  %end = call i64 @clef_rt_async_now()
  %elapsed = sub i64 %end, %start
  %floor = mul i64 %ms, 1000000
  %enough = icmp sge i64 %elapsed, %floor
  %fast = icmp slt i64 %elapsed, 5000000000
  %both = and i1 %enough, %fast
  ret i1 %both
}

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %deadlock = icmp sgt i64 %argc, 0
  br i1 %deadlock, label %deadlock_run, label %main
deadlock_run:
  %orphan = call ptr @clef_rt_cts_create()
  call void @clef_rt_cts_cancel_after(ptr %orphan, i64 60000)
  call void @say(ptr @txt_deadlock_before, i64 6)
  %never = call i8 @clef_rt_async_run(ptr @stuck, ptr null, ptr null)
  ret i32 0
main:
  ; 0. A root that waits for nothing but its token's cancel_after is not a
  ; deadlock (first, while no timer wakes a task).
  %cts4 = call ptr @clef_rt_cts_create()
  call void @clef_rt_cts_cancel_after(ptr %cts4, i64 20)
  %run4 = call i8 @clef_rt_async_run(ptr @until_cancelled, ptr null, ptr %cts4)
  call void @say_byte(ptr @txt_until, i64 20, i8 %run4)

  ; 1. Another task cancels a source: its sleeping task and its task joined on
  ; a task that never finishes end with 3 at once; a task without that token
  ; sleeps on; the canceller and the root finish with 1.
  %cts1 = call ptr @clef_rt_cts_create()
  %cts1.before = call i8 @clef_rt_cts_is_cancelled(ptr %cts1)
  call void @say_byte(ptr @txt_before, i64 14, i8 %cts1.before)
  %start1 = call i64 @clef_rt_async_now()
  %stuck = call ptr @clef_rt_async_spawn(ptr @stuck, ptr null, ptr null)
  %p1 = call ptr @clef_rt_async_spawn(ptr @patient, ptr @patient_1, ptr %cts1)
  %p2 = call ptr @clef_rt_async_spawn(ptr @patient, ptr @patient_2, ptr null)
  store ptr %stuck, ptr @joiner_frame
  %j1 = call ptr @clef_rt_async_spawn(ptr @joiner, ptr @joiner_frame, ptr %cts1)
  store ptr %cts1, ptr @canceller_frame
  %c = call ptr @clef_rt_async_spawn(ptr @canceller, ptr @canceller_frame, ptr null)
  store i64 3, ptr @join1
  store ptr %p1, ptr getelementptr (i8, ptr @join1, i64 8)
  store ptr %j1, ptr getelementptr (i8, ptr @join1, i64 16)
  store ptr %c, ptr getelementptr (i8, ptr @join1, i64 24)
  %run1 = call i8 @clef_rt_async_run(ptr @join_all, ptr @join1, ptr null)
  call void @say_byte(ptr @txt_run, i64 4, i8 %run1)
  %p1.done = call i8 @clef_rt_async_done(ptr %p1)
  call void @say_byte(ptr @txt_p1, i64 3, i8 %p1.done)
  %j1.done = call i8 @clef_rt_async_done(ptr %j1)
  call void @say_byte(ptr @txt_j1, i64 3, i8 %j1.done)
  %c.done = call i8 @clef_rt_async_done(ptr %c)
  call void @say_byte(ptr @txt_c, i64 2, i8 %c.done)
  %p2.done = call i8 @clef_rt_async_done(ptr %p2)
  call void @say_byte(ptr @txt_p2, i64 3, i8 %p2.done)
  %fast1 = call i1 @took_at_least(i64 %start1, i64 0)
  call void @say_bool(ptr @txt_fast, i64 5, i1 %fast1)
  %cts1.after = call i8 @clef_rt_cts_is_cancelled(ptr %cts1)
  call void @say_byte(ptr @txt_after, i64 13, i8 %cts1.after)

  ; 2. cancel_after ends a run's root; the second call replaces the first
  ; deadline (10 s) with 50 ms.
  %cts2 = call ptr @clef_rt_cts_create()
  call void @clef_rt_cts_cancel_after(ptr %cts2, i64 10000)
  call void @clef_rt_cts_cancel_after(ptr %cts2, i64 50)
  %start2 = call i64 @clef_rt_async_now()
  %run2 = call i8 @clef_rt_async_run(ptr @patient, ptr @patient_3, ptr %cts2)
  call void @say_byte(ptr @txt_run, i64 4, i8 %run2)
  %waited2 = call i1 @took_at_least(i64 %start2, i64 50)
  call void @say_bool(ptr @txt_waited, i64 7, i1 %waited2)

  ; A later deadline replaces an earlier one too: 30 ms, then 120 ms.
  %cts3 = call ptr @clef_rt_cts_create()
  call void @clef_rt_cts_cancel_after(ptr %cts3, i64 30)
  call void @clef_rt_cts_cancel_after(ptr %cts3, i64 120)
  %start3 = call i64 @clef_rt_async_now()
  %run3 = call i8 @clef_rt_async_run(ptr @patient, ptr @patient_4, ptr %cts3)
  %waited3 = call i1 @took_at_least(i64 %start3, i64 120)
  call void @say_bool(ptr @txt_replaced, i64 9, i1 %waited3)

  ; 0 ms cancels at once; a negative delay never.
  %cts5 = call ptr @clef_rt_cts_create()
  call void @clef_rt_cts_cancel_after(ptr %cts5, i64 0)
  %cts5.cancelled = call i8 @clef_rt_cts_is_cancelled(ptr %cts5)
  call void @say_byte(ptr @txt_at_once, i64 8, i8 %cts5.cancelled)
  %cts6 = call ptr @clef_rt_cts_create()
  call void @clef_rt_cts_cancel_after(ptr %cts6, i64 -1)
  %cts6.cancelled = call i8 @clef_rt_cts_is_cancelled(ptr %cts6)
  call void @say_byte(ptr @txt_never, i64 6, i8 %cts6.cancelled)

  ; 3. The current task's token: none outside a task; inherited by spawned
  ; children and nested runs; a child given its own keeps it.
  %outside = call ptr @clef_rt_async_token()
  %outside.null = icmp eq ptr %outside, null
  call void @say_bool(ptr @txt_outside_token, i64 19, i1 %outside.null)
  %outside.cancelled = call i8 @clef_rt_async_cancelled()
  call void @say_byte(ptr @txt_outside_cancelled, i64 18, i8 %outside.cancelled)
  %cts7 = call ptr @clef_rt_cts_create()
  %cts8 = call ptr @clef_rt_cts_create()
  store ptr %cts7, ptr getelementptr (i8, ptr @inspector_frame, i64 8)
  store ptr %cts8, ptr getelementptr (i8, ptr @inspector_frame, i64 16)
  %run5 = call i8 @clef_rt_async_run(ptr @inspector, ptr @inspector_frame, ptr %cts7)
  call void @say_byte(ptr @txt_inspector_run, i64 14, i8 %run5)
  ret i32 0
}
"#;

/// Sockets and files. Arguments: the path of a file to create, and the first
/// of ten ports to try for a listening socket on 127.0.0.1. Bad hosts and
/// ports, a second listener on a taken port, a connection through the event
/// loop (accept, connect, `SO_ERROR`, reads and writes that wait with
/// `wait_fd`, the end of the stream, a write after the peer closed: `EPIPE`,
/// not SIGPIPE), a refused connection, closing twice; a file written,
/// appended to and read back; a missing file, a bad mode, a long path; error
/// texts; bad descriptors; stdout flushed before a direct write to it.
pub const IO_IR: &str = r#"
%Str = type { ptr, i64 }
%JoinFrame = type { i64, [8 x ptr] }

@host = private constant [9 x i8] c"127.0.0.1"
@localhost = private constant [9 x i8] c"localhost"
@bogus = private constant [5 x i8] c"bogus"
@star = private constant [1 x i8] c"*"
@missing = private constant [26 x i8] c"/nonexistent-clef-dir/file"
@long_path = private global [4096 x i8] zeroinitializer
@ping = private constant [4 x i8] c"ping"
@pong = private constant [4 x i8] c"pong"
@late = private constant [4 x i8] c"late"
@hello_file = private constant [11 x i8] c"hello file\0A"
@more = private constant [5 x i8] c"more\0A"
@direct = private constant [7 x i8] c"direct\0A"

@txt_all_done = private constant [8 x i8] c"all done"
@txt_bogus = private constant [11 x i8] c"bogus host "
@txt_port_high = private constant [11 x i8] c"port 65536 "
@txt_port_negative = private constant [8 x i8] c"port -1 "
@txt_connect_star = private constant [13 x i8] c"connect to * "
@txt_listen_failed = private constant [14 x i8] c"listen failed "
@txt_connect_failed = private constant [15 x i8] c"connect failed "
@txt_listening = private constant [9 x i8] c"listening"
@txt_second = private constant [17 x i8] c"second listener: "
@txt_accept_failed = private constant [14 x i8] c"accept failed "
@txt_server_got = private constant [11 x i8] c"server got "
@txt_server_wrote = private constant [13 x i8] c"server wrote "
@txt_server_closed = private constant [14 x i8] c"server closed "
@txt_connect_error = private constant [14 x i8] c"connect error="
@txt_client_wrote = private constant [13 x i8] c"client wrote "
@txt_client_got = private constant [11 x i8] c"client got "
@txt_client_end = private constant [11 x i8] c"client end="
@txt_late_write = private constant [12 x i8] c"late write: "
@txt_client_closed = private constant [14 x i8] c"client closed "
@txt_closed_twice = private constant [13 x i8] c"closed twice "
@txt_listener_closed = private constant [16 x i8] c"listener closed "
@txt_refused = private constant [9 x i8] c"refused: "
@txt_file = private constant [6 x i8] c"file: "
@txt_file_end = private constant [9 x i8] c"file end="
@txt_nonblocking = private constant [12 x i8] c"nonblocking "
@txt_missing = private constant [9 x i8] c"missing: "
@txt_mode = private constant [7 x i8] c"mode 7 "
@txt_long = private constant [10 x i8] c"long path "
@txt_empty = private constant [0 x i8] zeroinitializer
@txt_bad_read = private constant [12 x i8] c"bad fd read "
@txt_bad_write = private constant [13 x i8] c"bad fd write "
@txt_bad_close = private constant [13 x i8] c"bad fd close "
@txt_buffered = private constant [8 x i8] c"buffered"

; server frame: state, listening fd, connection fd, buffer
@server_frame = private global { i64, i64, i64, [16 x i8] } zeroinitializer
; client frame: state, fd, buffer
@client_frame = private global { i64, i64, [16 x i8] } zeroinitializer
; refused frame: state, fd, port
@refused_frame = private global { i64, i64, i64 } zeroinitializer
@join1 = private global %JoinFrame zeroinitializer
@file_buffer = private global [64 x i8] zeroinitializer

declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8, i32, i32, i32, i32)
declare void @clef_rt_fmt_finish_write(i32, i8)
declare i64 @clef_rt_parse_int(ptr, i64, i32, i8)
declare i8 @clef_rt_async_run(ptr, ptr, ptr)
declare ptr @clef_rt_async_spawn(ptr, ptr, ptr)
declare i8 @clef_rt_async_done(ptr)
declare void @clef_rt_async_join(ptr)
declare void @clef_rt_async_wait_fd(i32, i8)
declare i64 @clef_rt_tcp_listen(ptr, i64, i32, i32)
declare i64 @clef_rt_tcp_accept(i64)
declare i64 @clef_rt_tcp_connect(ptr, i64, i32)
declare i64 @clef_rt_socket_error(i64)
declare i64 @clef_rt_fd_read(i64, ptr, i64)
declare i64 @clef_rt_fd_write(i64, ptr, i64)
declare i64 @clef_rt_fd_close(i64)
declare i64 @clef_rt_file_open(ptr, i64, i32)
declare i64 @clef_rt_set_nonblocking(i64)
declare %Str @clef_rt_errno_message(i64)

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

; "<text><bytes>"
define void @say_bytes(ptr %text, i64 %len, ptr %bytes, i64 %count) {
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr %text, i64 %len)
  call void @clef_rt_fmt_literal(ptr %bytes, i64 %count)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)
  ret void
}

; "<text><the message of errno>"
define void @say_errno(ptr %text, i64 %len, i64 %errno) {
  %message = call %Str @clef_rt_errno_message(i64 %errno)
  %message.ptr = extractvalue %Str %message, 0
  %message.len = extractvalue %Str %message, 1
  call void @say_bytes(ptr %text, i64 %len, ptr %message.ptr, i64 %message.len)
  ret void
}

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

; Accepts one connection, reads "ping", answers "pong" and closes it.
define i8 @server(ptr %f) {
entry:
  %state = load i64, ptr %f
  %listen.at = getelementptr i8, ptr %f, i64 8
  %conn.at = getelementptr i8, ptr %f, i64 16
  %buf = getelementptr i8, ptr %f, i64 24
  %accepting = icmp eq i64 %state, 0
  br i1 %accepting, label %accept, label %read
accept:
  %listen = load i64, ptr %listen.at
  %accepted = call i64 @clef_rt_tcp_accept(i64 %listen)
  %none_yet = icmp eq i64 %accepted, -11
  br i1 %none_yet, label %wait_accept, label %check_accept
wait_accept:
  %listen32 = trunc i64 %listen to i32
  call void @clef_rt_async_wait_fd(i32 %listen32, i8 0)
  ret i8 0
check_accept:
  %accept_failed = icmp slt i64 %accepted, 0
  br i1 %accept_failed, label %fail_accept, label %store
fail_accept:
  call void @say_int(ptr @txt_accept_failed, i64 14, i64 %accepted)
  ret i8 1
store:
  store i64 %accepted, ptr %conn.at
  store i64 1, ptr %f
  br label %read
read:
  %conn = load i64, ptr %conn.at
  %got = call i64 @clef_rt_fd_read(i64 %conn, ptr %buf, i64 16)
  %nothing_yet = icmp eq i64 %got, -11
  br i1 %nothing_yet, label %wait_read, label %answer
wait_read:
  %conn32 = trunc i64 %conn to i32
  call void @clef_rt_async_wait_fd(i32 %conn32, i8 0)
  ret i8 0
answer:
  call void @say_bytes(ptr @txt_server_got, i64 11, ptr %buf, i64 %got)
  %wrote = call i64 @clef_rt_fd_write(i64 %conn, ptr @pong, i64 4)
  call void @say_int(ptr @txt_server_wrote, i64 13, i64 %wrote)
  %closed = call i64 @clef_rt_fd_close(i64 %conn)
  call void @say_int(ptr @txt_server_closed, i64 14, i64 %closed)
  ret i8 1
}

; Waits until its connection is made, sends "ping", reads "pong" and the end
; of the stream, writes until the write fails, closes twice.
define i8 @client(ptr %f) {
entry:
  %state = load i64, ptr %f
  %fd.at = getelementptr i8, ptr %f, i64 8
  %buf = getelementptr i8, ptr %f, i64 16
  %fd = load i64, ptr %fd.at
  %fd32 = trunc i64 %fd to i32
  switch i64 %state, label %read_end [ i64 0, label %wait_connected
                                       i64 1, label %connected
                                       i64 2, label %read_pong ]
wait_connected:
  store i64 1, ptr %f
  call void @clef_rt_async_wait_fd(i32 %fd32, i8 1)
  ret i8 0
connected:
  %error = call i64 @clef_rt_socket_error(i64 %fd)
  call void @say_int(ptr @txt_connect_error, i64 14, i64 %error)
  %wrote = call i64 @clef_rt_fd_write(i64 %fd, ptr @ping, i64 4)
  call void @say_int(ptr @txt_client_wrote, i64 13, i64 %wrote)
  store i64 2, ptr %f
  br label %read_pong
read_pong:
  %got = call i64 @clef_rt_fd_read(i64 %fd, ptr %buf, i64 16)
  %nothing_yet = icmp eq i64 %got, -11
  br i1 %nothing_yet, label %wait_read, label %got_pong
wait_read:
  call void @clef_rt_async_wait_fd(i32 %fd32, i8 0)
  ret i8 0
got_pong:
  call void @say_bytes(ptr @txt_client_got, i64 11, ptr %buf, i64 %got)
  store i64 3, ptr %f
  br label %read_end
read_end:
  %end = call i64 @clef_rt_fd_read(i64 %fd, ptr %buf, i64 16)
  %end_not_yet = icmp eq i64 %end, -11
  br i1 %end_not_yet, label %wait_read, label %at_end
at_end:
  call void @say_int(ptr @txt_client_end, i64 11, i64 %end)
  br label %late
late:
  %tries = phi i64 [ 0, %at_end ], [ %tries.next, %late_ok ]
  %late_wrote = call i64 @clef_rt_fd_write(i64 %fd, ptr @late, i64 4)
  %late_failed = icmp slt i64 %late_wrote, 0
  br i1 %late_failed, label %late_error, label %late_ok
late_ok:
  %tries.next = add i64 %tries, 1
  %give_up = icmp sge i64 %tries.next, 1000
  br i1 %give_up, label %close, label %late
late_error:
  call void @say_errno(ptr @txt_late_write, i64 12, i64 %late_wrote)
  br label %close
close:
  %closed = call i64 @clef_rt_fd_close(i64 %fd)
  call void @say_int(ptr @txt_client_closed, i64 14, i64 %closed)
  %closed_again = call i64 @clef_rt_fd_close(i64 %fd)
  call void @say_int(ptr @txt_closed_twice, i64 13, i64 %closed_again)
  ret i8 1
}

; Connects to a port nobody listens on: refused at once, or once writable.
define i8 @refused(ptr %f) {
entry:
  %state = load i64, ptr %f
  %fd.at = getelementptr i8, ptr %f, i64 8
  %port.at = getelementptr i8, ptr %f, i64 16
  %first = icmp eq i64 %state, 0
  br i1 %first, label %connect, label %check
connect:
  %port = load i64, ptr %port.at
  %port32 = trunc i64 %port to i32
  %fd = call i64 @clef_rt_tcp_connect(ptr @host, i64 9, i32 %port32)
  %failed = icmp slt i64 %fd, 0
  br i1 %failed, label %report_now, label %wait
report_now:
  call void @say_errno(ptr @txt_refused, i64 9, i64 %fd)
  ret i8 1
wait:
  store i64 %fd, ptr %fd.at
  store i64 1, ptr %f
  %fd32 = trunc i64 %fd to i32
  call void @clef_rt_async_wait_fd(i32 %fd32, i8 1)
  ret i8 0
check:
  %fd.later = load i64, ptr %fd.at
  %error = call i64 @clef_rt_socket_error(i64 %fd.later)
  %closed = call i64 @clef_rt_fd_close(i64 %fd.later)
  call void @say_errno(ptr @txt_refused, i64 9, i64 %error)
  ret i8 1
}

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %path = load %Str, ptr %args
  %path.ptr = extractvalue %Str %path, 0
  %path.len = extractvalue %Str %path, 1
  %base.at = getelementptr %Str, ptr %args, i64 1
  %base.text = load %Str, ptr %base.at
  %base.ptr = extractvalue %Str %base.text, 0
  %base.len = extractvalue %Str %base.text, 1
  %base = call i64 @clef_rt_parse_int(ptr %base.ptr, i64 %base.len, i32 32, i8 1)

  ; Hosts and ports that are refused before any system call.
  %bogus = call i64 @clef_rt_tcp_listen(ptr @bogus, i64 5, i32 0, i32 16)
  call void @say_int(ptr @txt_bogus, i64 11, i64 %bogus)
  %high = call i64 @clef_rt_tcp_listen(ptr @host, i64 9, i32 65536, i32 16)
  call void @say_int(ptr @txt_port_high, i64 11, i64 %high)
  %negative = call i64 @clef_rt_tcp_listen(ptr @host, i64 9, i32 -1, i32 16)
  call void @say_int(ptr @txt_port_negative, i64 8, i64 %negative)
  %star = call i64 @clef_rt_tcp_connect(ptr @star, i64 1, i32 80)
  call void @say_int(ptr @txt_connect_star, i64 13, i64 %star)

  ; Listen on the first free port from the base.
  br label %try_listen
try_listen:
  %offset = phi i64 [ 0, %entry ], [ %offset.next, %next_port ]
  %port = add i64 %base, %offset
  %port32 = trunc i64 %port to i32
  %listener = call i64 @clef_rt_tcp_listen(ptr @host, i64 9, i32 %port32, i32 16)
  %listening = icmp sge i64 %listener, 0
  br i1 %listening, label %listen_ok, label %listen_error
listen_error:
  %in_use = icmp eq i64 %listener, -98
  %offset.next = add i64 %offset, 1
  %more_ports = icmp slt i64 %offset.next, 10
  %retry = and i1 %in_use, %more_ports
  br i1 %retry, label %next_port, label %listen_failed
next_port:
  br label %try_listen
listen_failed:
  call void @say_int(ptr @txt_listen_failed, i64 14, i64 %listener)
  ret i32 1
listen_ok:
  call void @say(ptr @txt_listening, i64 9)
  %second = call i64 @clef_rt_tcp_listen(ptr @localhost, i64 9, i32 %port32, i32 16)
  call void @say_errno(ptr @txt_second, i64 17, i64 %second)

  ; One connection through the event loop.
  %client.fd = call i64 @clef_rt_tcp_connect(ptr @host, i64 9, i32 %port32)
  %connect_failed = icmp slt i64 %client.fd, 0
  br i1 %connect_failed, label %connect_error, label %connected
connect_error:
  call void @say_int(ptr @txt_connect_failed, i64 15, i64 %client.fd)
  ret i32 1
connected:
  store i64 %listener, ptr getelementptr (i8, ptr @server_frame, i64 8)
  store i64 %client.fd, ptr getelementptr (i8, ptr @client_frame, i64 8)
  %server = call ptr @clef_rt_async_spawn(ptr @server, ptr @server_frame, ptr null)
  %client = call ptr @clef_rt_async_spawn(ptr @client, ptr @client_frame, ptr null)
  store i64 2, ptr @join1
  store ptr %server, ptr getelementptr (i8, ptr @join1, i64 8)
  store ptr %client, ptr getelementptr (i8, ptr @join1, i64 16)
  %run1 = call i8 @clef_rt_async_run(ptr @join_all, ptr @join1, ptr null)
  %listener.closed = call i64 @clef_rt_fd_close(i64 %listener)
  call void @say_int(ptr @txt_listener_closed, i64 16, i64 %listener.closed)

  ; Nobody listens there any more.
  store i64 %port, ptr getelementptr (i8, ptr @refused_frame, i64 16)
  %run2 = call i8 @clef_rt_async_run(ptr @refused, ptr @refused_frame, ptr null)

  ; A file: written, appended to, read back.
  %w = call i64 @clef_rt_file_open(ptr %path.ptr, i64 %path.len, i32 1)
  %w.wrote = call i64 @clef_rt_fd_write(i64 %w, ptr @hello_file, i64 11)
  %w.closed = call i64 @clef_rt_fd_close(i64 %w)
  %a = call i64 @clef_rt_file_open(ptr %path.ptr, i64 %path.len, i32 2)
  %a.wrote = call i64 @clef_rt_fd_write(i64 %a, ptr @more, i64 5)
  %a.closed = call i64 @clef_rt_fd_close(i64 %a)
  %r = call i64 @clef_rt_file_open(ptr %path.ptr, i64 %path.len, i32 0)
  %r.nonblocking = call i64 @clef_rt_set_nonblocking(i64 %r)
  %r.got = call i64 @clef_rt_fd_read(i64 %r, ptr @file_buffer, i64 64)
  call void @say_bytes(ptr @txt_file, i64 6, ptr @file_buffer, i64 %r.got)
  %r.end = call i64 @clef_rt_fd_read(i64 %r, ptr @file_buffer, i64 64)
  call void @say_int(ptr @txt_file_end, i64 9, i64 %r.end)
  call void @say_int(ptr @txt_nonblocking, i64 12, i64 %r.nonblocking)
  %r.closed = call i64 @clef_rt_fd_close(i64 %r)

  ; Files that cannot be opened.
  %missing = call i64 @clef_rt_file_open(ptr @missing, i64 26, i32 0)
  call void @say_errno(ptr @txt_missing, i64 9, i64 %missing)
  %bad_mode = call i64 @clef_rt_file_open(ptr %path.ptr, i64 %path.len, i32 7)
  call void @say_int(ptr @txt_mode, i64 7, i64 %bad_mode)
  %long = call i64 @clef_rt_file_open(ptr @long_path, i64 4096, i32 0)
  call void @say_int(ptr @txt_long, i64 10, i64 %long)

  ; Error texts.
  call void @say_errno(ptr @txt_empty, i64 0, i64 111)
  call void @say_errno(ptr @txt_empty, i64 0, i64 -111)
  call void @say_errno(ptr @txt_empty, i64 0, i64 9999)

  ; Bad descriptors.
  %bad_read = call i64 @clef_rt_fd_read(i64 -1, ptr @file_buffer, i64 64)
  call void @say_int(ptr @txt_bad_read, i64 12, i64 %bad_read)
  %bad_write = call i64 @clef_rt_fd_write(i64 4294967296, ptr @ping, i64 4)
  call void @say_int(ptr @txt_bad_write, i64 13, i64 %bad_write)
  %bad_close = call i64 @clef_rt_fd_close(i64 1000)
  call void @say_int(ptr @txt_bad_close, i64 13, i64 %bad_close)

  ; Buffered stdout goes out before a direct write to descriptor 1.
  call void @say(ptr @txt_buffered, i64 8)
  %direct = call i64 @clef_rt_fd_write(i64 1, ptr @direct, i64 7)
  ret i32 0
}
"#;

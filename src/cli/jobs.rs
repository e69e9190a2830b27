//! `--jobs`: the lines of a batch computed in parallel, written in input order.
//!
//! Three kinds of threads:
//! - the reader reads the lines and keeps the definitions, as the sequential loop does
//!   ([`read_lines`]), and groups the lines into small batches;
//! - workers compute each batch's expression lines and write their results into memory:
//!   stdout's bytes and stderr's reports, in the order they were written ([`Piece`]);
//! - the writer (the calling thread, which holds stdout) writes the batches in input
//!   order, as soon as the next one is ready.
//!
//! So the output is byte for byte that of `--jobs 1`, on stdout and on stderr, and a
//! line's reports still come between the results of the lines around it. At most
//! [`WINDOW_PER_JOB`] batches per worker are in flight, so memory stays bounded on endless
//! input; before a read that may wait, the reader sends what it has, so results stream.

use std::cell::RefCell;
use std::io::{self, BufReader, Read, Write};
use std::mem;
use std::num::NonZeroUsize;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::Cli;
use super::run::{Ended, Lines, expression_line, finish_lines, leave_to_exit, read_lines};
use crate::expr::Pool;
use crate::request::Request;

/// Batches in flight per worker, computed or waiting: enough that a slow line does not
/// leave a worker idle, few enough that memory stays small.
const WINDOW_PER_JOB: usize = 4;

/// A batch is sent to the workers when it has this many items (lines, and reports of
/// definitions)...
const BATCH_LINES: usize = 256;

/// ...or this many bytes of text.
const BATCH_BYTES: usize = 64 * 1024;

/// A file (`-f`) smaller than this is computed on the main thread unless `--jobs` says
/// otherwise: its few lines take less time than starting the threads (half a millisecond
/// for one line).
const SMALL_FILE: u64 = 4 * 1024;

/// The number of lines computed at once: `--jobs`, else 1 for a small file, else the
/// number of cores.
pub(super) fn jobs(cli: &Cli) -> usize {
    if let Some(jobs) = cli.jobs {
        return jobs;
    }
    let small = cli
        .file
        .as_ref()
        .and_then(|path| std::fs::metadata(path).ok())
        .is_some_and(|m| m.is_file() && m.len() < SMALL_FILE);
    match small {
        true => 1,
        false => thread::available_parallelism().map_or(1, NonZeroUsize::get),
    }
}

/// What a line (or a batch) writes, in order.
enum Piece {
    /// Bytes for stdout.
    Out(Vec<u8>),
    /// A report for stderr.
    Err(String),
}

thread_local! {
    /// The stderr reports of this thread, kept instead of written (in the reader and the
    /// workers).
    static CAPTURED: RefCell<Option<Vec<Piece>>> = const { RefCell::new(None) };
}

/// Writes `text` to stderr, or keeps it when this thread's reports are kept (a worker's).
pub(super) fn to_stderr(text: &str) {
    CAPTURED.with_borrow_mut(|captured| match captured {
        Some(pieces) => pieces.push(Piece::Err(text.to_string())),
        None => eprint!("{text}"),
    });
}

/// From now on, this thread's reports are kept.
fn capture() {
    CAPTURED.set(Some(Vec::new()));
}

/// Moves the reports kept so far to `pieces`.
fn take_captured(pieces: &mut Vec<Piece>) {
    CAPTURED.with_borrow_mut(|captured| {
        if let Some(kept) = captured {
            pieces.append(kept);
        }
    });
}

/// Stdout in memory: its bytes go among the kept reports when it is flushed, which the
/// writing code does before every report (a worker flushes it after a batch).
#[derive(Default)]
struct Recorder {
    bytes: Vec<u8>,
}

impl Recorder {
    /// Moves the bytes so far and the reports kept since to `pieces`.
    fn take(&mut self, pieces: &mut Vec<Piece>) {
        let _ = self.flush();
        take_captured(pieces);
    }
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.bytes.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.bytes.is_empty() {
            let bytes = mem::take(&mut self.bytes);
            CAPTURED.with_borrow_mut(|captured| {
                if let Some(pieces) = captured {
                    match pieces.last_mut() {
                        Some(Piece::Out(out)) => out.extend_from_slice(&bytes),
                        _ => pieces.push(Piece::Out(bytes)),
                    }
                }
            });
        }
        Ok(())
    }
}

/// An item of a batch, in input order.
enum Item {
    /// What the reader reported (a definition's warnings or error, a line that is not
    /// UTF-8).
    Written(Vec<Piece>),
    /// The request for the lines that follow (the first item of a batch, and after a
    /// definition).
    Request(Arc<Request>),
    /// An expression line to compute: its text, `text[start..end]` of the batch.
    Line {
        start: usize,
        end: usize,
        line_no: usize,
    },
}

/// Lines for a worker: the items, and the text of the lines one after the other.
#[derive(Default)]
struct Batch {
    items: Vec<Item>,
    text: String,
}

/// A batch's output: what it writes, in order, and its largest exit code.
#[derive(Default)]
struct Output {
    pieces: Vec<Piece>,
    code: u8,
}

/// A batch, and where its output goes.
type Job = (Batch, SyncSender<Output>);

/// Runs the batch loop with `jobs` workers; the same output and exit code as the
/// sequential loop.
pub(super) fn run_parallel(
    cli: &Cli,
    request: &Request,
    reader: BufReader<Box<dyn Read + Send>>,
    origin: &str,
    out: &mut impl Write,
    jobs: usize,
) -> u8 {
    // The threads are not scoped: on a write error the writer returns at once, while the
    // reader may still wait for input that never comes.
    let cli_shared = Arc::new(cli.clone());
    let origin_shared: Arc<str> = origin.into();
    let (batches, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..jobs {
        let (cli, origin, queue) = (cli_shared.clone(), origin_shared.clone(), queue.clone());
        thread::spawn(move || work(&cli, &origin, &queue));
    }
    let (order, outputs) = mpsc::sync_channel::<Receiver<Output>>(WINDOW_PER_JOB * jobs);
    let reader = {
        let (cli, origin) = (cli_shared.clone(), origin_shared.clone());
        let request = request.clone();
        thread::spawn(move || {
            capture();
            let mut sink = Batcher {
                lines: Batch::default(),
                request: None,
                batches,
                order,
            };
            let ended = read_lines(&cli, &request, reader, &origin, &mut sink);
            // The last batch, with any report of how the input ended; a send fails only
            // when the writer has stopped.
            let _ = sink.send();
            ended
        })
    };
    let mut code = 0;
    if let Err(e) = write_outputs(&outputs, out, &mut code) {
        return super::run::io_exit(e);
    }
    let ended = match reader.join() {
        Ok(ended) => ended,
        Err(payload) => std::panic::resume_unwind(payload),
    };
    match ended {
        Ended::Input(end) => code.max(finish_lines(cli, &end, origin, out)),
        Ended::Stopped(stopped) => stopped,
    }
}

/// A worker: computes batches until there are no more.
fn work(cli: &Cli, origin: &str, queue: &Mutex<Receiver<Job>>) {
    capture();
    // This worker's last pool: freed when the next line's comes, left to the exit at the
    // end, as the sequential loop leaves its last one.
    let mut last_pool: Option<Pool> = None;
    loop {
        // The lock is held while waiting, so one worker at a time waits on the queue.
        let batch = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => break,
        };
        let Ok((lines, done)) = batch else { break };
        let mut output = Output::default();
        let mut stdout = Recorder::default();
        let mut request = None;
        for item in lines.items {
            match item {
                Item::Written(mut pieces) => {
                    stdout.take(&mut output.pieces);
                    output.pieces.append(&mut pieces);
                }
                Item::Request(next) => request = Some(next),
                Item::Line {
                    start,
                    end,
                    line_no,
                } => {
                    let Some(request) = &request else { continue };
                    let text = &lines.text[start..end];
                    let place = (origin, line_no);
                    // Writing to memory does not fail.
                    let code =
                        expression_line(cli, request, text, place, &mut stdout, &mut last_pool)
                            .unwrap_or(0);
                    output.code = output.code.max(code);
                }
            }
        }
        stdout.take(&mut output.pieces);
        // The writer may have stopped (a closed stdout): nothing to do then.
        let _ = done.send(output);
    }
    leave_to_exit(last_pool);
}

/// The reader's side: lines grouped into batches, each sent to the workers and its place
/// in the order to the writer.
struct Batcher {
    lines: Batch,
    /// The request of the batch's last line.
    request: Option<Arc<Request>>,
    batches: mpsc::Sender<Job>,
    order: SyncSender<Receiver<Output>>,
}

impl Batcher {
    /// Sends the batch so far (with the reports kept since its last line), if any.
    fn send(&mut self) -> io::Result<()> {
        self.keep_reports();
        if self.lines.items.is_empty() {
            return Ok(());
        }
        let lines = mem::take(&mut self.lines);
        self.request = None;
        let (done, output) = mpsc::sync_channel(1);
        let stopped = || io::Error::new(io::ErrorKind::BrokenPipe, "the writer has stopped");
        self.batches.send((lines, done)).map_err(|_| stopped())?;
        // Waits while the window is full.
        self.order.send(output).map_err(|_| stopped())
    }

    /// Moves the reports kept since the last line into the batch.
    fn keep_reports(&mut self) {
        let mut pieces = Vec::new();
        take_captured(&mut pieces);
        if !pieces.is_empty() {
            self.lines.items.push(Item::Written(pieces));
        }
    }
}

impl Lines for Batcher {
    fn waiting(&mut self) -> io::Result<()> {
        self.send()
    }

    fn reporting(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn expression(&mut self, request: &Arc<Request>, text: &str, line_no: usize) -> io::Result<()> {
        self.keep_reports();
        if !self
            .request
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(r, request))
        {
            self.request = Some(request.clone());
            self.lines.items.push(Item::Request(request.clone()));
        }
        let start = self.lines.text.len();
        self.lines.text.push_str(text);
        let end = self.lines.text.len();
        self.lines.items.push(Item::Line {
            start,
            end,
            line_no,
        });
        if self.lines.items.len() >= BATCH_LINES || end >= BATCH_BYTES {
            self.send()?;
        }
        Ok(())
    }
}

/// The writer: writes the batches' outputs in input order, each as soon as it is ready,
/// flushing before it waits; raises `code` to each batch's.
fn write_outputs(
    outputs: &Receiver<Receiver<Output>>,
    out: &mut impl Write,
    code: &mut u8,
) -> io::Result<()> {
    while let Some(next) = receive(outputs, out)? {
        // A worker that stopped without sending its output panicked outside the guarded
        // computation: a bug, reported as the sequential loop's would be.
        #[allow(clippy::expect_used)]
        let output = receive(&next, out)?.expect("a worker stopped");
        for piece in output.pieces {
            match piece {
                Piece::Out(bytes) => out.write_all(&bytes)?,
                Piece::Err(text) => {
                    out.flush()?;
                    eprint!("{text}");
                }
            }
        }
        *code = (*code).max(output.code);
    }
    Ok(())
}

/// The next message, or `None` when there are no more. When it is not ready soon, what
/// was written so far goes out first: results stream, but a busy batch is written in
/// full buffers, not a flush per batch.
fn receive<T>(from: &Receiver<T>, out: &mut impl Write) -> io::Result<Option<T>> {
    match from.recv_timeout(Duration::from_millis(1)) {
        Ok(message) => Ok(Some(message)),
        Err(RecvTimeoutError::Disconnected) => Ok(None),
        Err(RecvTimeoutError::Timeout) => {
            out.flush()?;
            Ok(from.recv().ok())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn a_small_file_runs_on_the_main_thread_unless_jobs_says_otherwise() {
        let folder = std::env::temp_dir().join(format!("deriv-jobs-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let small = folder.join("small.txt");
        std::fs::write(&small, "x^2\n").unwrap();
        let large = folder.join("large.txt");
        std::fs::write(&large, "x^2 + y\n".repeat(1000)).unwrap();
        let cli = |args: &[&str]| Cli::try_parse_from(args).unwrap();
        let small = small.to_str().unwrap();
        let large = large.to_str().unwrap();
        assert_eq!(jobs(&cli(&["deriv", "-f", small])), 1);
        assert_eq!(jobs(&cli(&["deriv", "-f", small, "-j", "3"])), 3);
        let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
        assert_eq!(jobs(&cli(&["deriv", "-f", large])), cores);
        assert_eq!(jobs(&cli(&["deriv", "-"])), cores);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}

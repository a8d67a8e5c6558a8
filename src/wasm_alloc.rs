//! The wasm allocator: talc (about 6 KB smaller than Rust's default dlmalloc), fed by a
//! memory source that grows the wasm memory geometrically.
//!
//! talc's own `WasmGrowAndExtend` (and dlmalloc) grow the memory by just what the
//! failing allocation needs, often one 64 KiB page. Every `memory.grow` detaches the JS
//! `ArrayBuffer` over the memory and tells V8 about new external memory, which triggers
//! garbage collection: ingesting the 1M-command benchmark space grew the memory ~13,000
//! times and spent more than half its time in V8's collector (profiled with
//! `node --cpu-prof`; docs/performance.md). Growing by a quarter of the current size
//! (at least 1 MiB) takes a few dozen grows to reach a gigabyte and wastes at most a
//! fifth of the memory, which wasm can never give back anyway.

use core::alloc::Layout;
use core::arch::wasm32::memory_grow;
use core::arch::wasm32::memory_size;
use core::ptr::NonNull;

use talc::base::binning::Binning;
use talc::base::Talc;
use talc::cell::TalcSyncCell;
use talc::source::Source;
use talc::wasm::WasmBinning;

const PAGE: usize = 64 * 1024;
/// The smallest grow: 1 MiB.
const MIN_GROW_PAGES: usize = 16;

/// Grows the wasm memory by max(what the allocation needs, a quarter of the memory,
/// 1 MiB) and extends talc's heap over it.
#[derive(Debug)]
pub struct GeometricGrow {
    end: Option<NonNull<u8>>,
}

// SAFETY: `acquire` only grows the wasm memory and hands the new pages to talc through
// `claim`/`extend`; it never allocates.
unsafe impl Source for GeometricGrow {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        // Room for the allocation, its alignment and talc's chunk and heap overheads.
        let needed_bytes = layout
            .size()
            .saturating_add(layout.align())
            .saturating_add(256);
        let needed = needed_bytes.div_ceil(PAGE);
        let preferred = needed.max(memory_size::<0>() / 4).max(MIN_GROW_PAGES);
        let (previous_end, pages) = match memory_grow::<0>(preferred) {
            usize::MAX if preferred > needed => match memory_grow::<0>(needed) {
                usize::MAX => return Err(()),
                previous => (previous, needed),
            },
            usize::MAX => return Err(()),
            previous => (previous, preferred),
        };
        let base = (previous_end * PAGE) as *mut u8;
        let bytes = pages * PAGE;
        // SAFETY: the pages [base, base + bytes) were just added to the memory and are
        // owned by nothing else; extending is only done when they continue the heap.
        unsafe {
            if let Some(old_end) = talc.source.end.take() {
                if old_end.as_ptr() == base {
                    talc.source.end = Some(talc.extend(old_end, base.add(bytes)));
                    return Ok(());
                }
            }
            talc.source.end = talc.claim(base, bytes);
        }
        if talc.source.end.is_some() {
            Ok(())
        } else {
            Err(())
        }
    }
}

#[global_allocator]
static ALLOCATOR: TalcSyncCell<GeometricGrow, WasmBinning> =
    TalcSyncCell::new_wasm(GeometricGrow { end: None });

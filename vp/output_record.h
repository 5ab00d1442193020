// What a script's output is made of, as records, and the two ways of
// writing them: text (the reference's formats, byte for byte) and JSON
// (one object per line, for programs: `vprobe -f json`, `vp run -f json`;
// the schema is in docs/json-output.md).
//
// The engine builds these records where it prints (printing built-ins,
// logaggr/printa, runtime errors); a host that drops output builds the drop
// record. Renderers are pure functions, safe on any thread.
#pragma once

#include "vp/histogram_print.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vp {

// How a loaded script's output is written (Options::format).
enum class OutputFormat : uint8_t { Text, Json };

// "text" or "json"; false for anything else.
bool parseOutputFormat(std::string_view name, OutputFormat& out);
std::string_view outputFormatName(OutputFormat format);

// Who printed a record, and when.
struct RecordOrigin {
  std::string_view probe;  // PROBENAME of the fire
  int vcpu = -1;           // the vCPU's number; -1 for a VMX thread
  uint64_t tsc = 0;        // the pseudo TSC when the record was made
};

// One bucket of an aggregate. The statistics are VP's 64-bit integers.
struct AggregateRow {
  std::vector<uint64_t> intKeys;
  std::vector<std::string> strKeys;
  uint64_t count = 0, min = 0, max = 0, avg = 0, latest = 0;
};

// An aggregate as logaggr or printa found it, rows in key order.
struct AggregateRecord {
  std::string name;
  uint32_t intKeys = 0, strKeys = 0;  // the aggregate's shape (defaggr)
  std::vector<AggregateRow> rows;
  // The fire ran out of budget before every row was printed (a runtime
  // error record follows).
  bool truncated = false;
};

// The reference's logaggr text ("aggr: NAME (1 integer key) ...").
std::string aggregateText(const AggregateRecord& aggregate);

// The JSON renderer: each returns one object on one line, ending in '\n'.
// Text is written as JSON strings; bytes that are not UTF-8 (writeint)
// become U+FFFD, so every line parses.
// {"type":"printf",...}: one line a script printed (printf, logstr,
// logint, writeint), `line` without its '\n'.
std::string printJson(const RecordOrigin& origin, std::string_view line);
// {"type":"aggregate",...}
std::string aggregateJson(const RecordOrigin& origin, const AggregateRecord& aggregate);
// {"type":"histogram",...}: what logaggr of a defhist aggregate prints:
// its shape ("pow2", or "linear" with min, max, step) and per combination
// of the other keys its buckets, bounds inclusive as signed numbers
// (histogram_print.h); `truncated` as for aggregates.
std::string histogramJson(const RecordOrigin& origin, const HistogramPrint& histogram, bool truncated);
// {"type":"error",...}: `message` is the text format's runtime error line
// ("FILE:L:C: runtime error: ... (probe P, vcpu N)") without its '\n'.
std::string errorJson(const RecordOrigin& origin, std::string_view message);
// {"type":"drop",...}: `records` lines of output from `probe` (empty: not
// known) were dropped because the host's buffer was full.
std::string dropJson(std::string_view probe, uint64_t records);

}  // namespace vp

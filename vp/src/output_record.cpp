#include "vp/output_record.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace vp {

namespace {

// Ordered, so that "type" comes first and a person reading the lines sees
// the fields in the order the schema lists them.
using Json = nlohmann::ordered_json;

std::string line(const Json& j) {
  // Replacing bad UTF-8 instead of throwing: a script may print any byte.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json withOrigin(std::string_view type, const RecordOrigin& origin) {
  Json j;
  j["type"] = type;
  j["probe"] = origin.probe;
  j["vcpu"] = origin.vcpu < 0 ? Json(nullptr) : Json(origin.vcpu);
  j["tsc"] = origin.tsc;
  return j;
}

Json rowJson(const AggregateRow& row) {
  Json keys = Json::array();
  for (uint64_t k : row.intKeys) keys.push_back(k);
  for (const std::string& s : row.strKeys) keys.push_back(s);
  Json j;
  j["keys"] = std::move(keys);
  j["count"] = row.count;
  j["min"] = row.min;
  j["max"] = row.max;
  j["avg"] = row.avg;
  j["latest"] = row.latest;
  return j;
}

std::string keyCount(uint32_t n, const char* what) {
  return "(" + std::to_string(n) + " " + what + (n == 1 ? " key)" : " keys)");
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

bool parseOutputFormat(std::string_view name, OutputFormat& out) {
  if (name == "text") out = OutputFormat::Text;
  else if (name == "json") out = OutputFormat::Json;
  else return false;
  return true;
}

std::string_view outputFormatName(OutputFormat format) {
  return format == OutputFormat::Json ? "json" : "text";
}

std::string aggregateText(const AggregateRecord& a) {
  std::string out = "aggr: " + a.name + " " + keyCount(a.intKeys, "integer") + " " +
                    keyCount(a.strKeys, "string") + "\n";
  for (const AggregateRow& row : a.rows) {
    out += a.name + "[";
    const char* sep = "";
    for (uint64_t k : row.intKeys) { out += sep + hex(k); sep = ", "; }
    for (const auto& s : row.strKeys) { out += sep; out += "\"" + s + "\""; sep = ", "; }
    out += "] == avg " + std::to_string(row.avg) + " count " + std::to_string(row.count) +
           " min " + std::to_string(row.min) + " max " + std::to_string(row.max) +
           " latest " + std::to_string(row.latest) + "\n";
  }
  return out;
}

std::string printJson(const RecordOrigin& origin, std::string_view text) {
  Json j = withOrigin("printf", origin);
  j["text"] = text;
  return line(j);
}

std::string aggregateJson(const RecordOrigin& origin, const AggregateRecord& a) {
  Json j = withOrigin("aggregate", origin);
  j["name"] = a.name;
  j["intKeys"] = a.intKeys;
  j["strKeys"] = a.strKeys;
  Json rows = Json::array();
  for (const AggregateRow& row : a.rows) rows.push_back(rowJson(row));
  j["rows"] = std::move(rows);
  j["truncated"] = a.truncated;
  return line(j);
}

std::string histogramJson(const RecordOrigin& origin, const HistogramPrint& h, bool truncated) {
  Json j = withOrigin("histogram", origin);
  j["name"] = h.name;
  bool linear = h.shape.kind == HistKind::Linear;
  j["shape"] = linear ? "linear" : "pow2";
  if (linear) j["min"] = h.shape.min, j["max"] = h.shape.max, j["step"] = h.shape.step;
  Json all = Json::array();
  for (const Histogram& one : h.histograms) {
    Json keys = Json::array();
    for (const HistKey& k : one.keys) std::visit([&](const auto& v) { keys.push_back(v); }, k);
    Json buckets = Json::array();
    for (const HistBucket& b : one.buckets) {
      Json jb = {{"lo", b.lo}, {"hi", b.hi}, {"count", b.count}};
      if (b.openBelow) jb["openBelow"] = true;
      if (b.openAbove) jb["openAbove"] = true;
      buckets.push_back(std::move(jb));
    }
    all.push_back({{"keys", std::move(keys)}, {"buckets", std::move(buckets)}});
  }
  j["histograms"] = std::move(all);
  j["truncated"] = truncated;
  return line(j);
}

std::string errorJson(const RecordOrigin& origin, std::string_view message) {
  Json j = withOrigin("error", origin);
  j["message"] = message;
  return line(j);
}

std::string dropJson(std::string_view probe, uint64_t records) {
  Json j;
  j["type"] = "drop";
  j["probe"] = probe;
  j["records"] = records;
  return line(j);
}

}  // namespace vp

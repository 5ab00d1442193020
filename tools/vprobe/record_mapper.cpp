#include "tools/vprobe/record_mapper.h"

#include <nlohmann/json.hpp>

namespace vprobe {

std::string RecordMapper::map(std::string_view bytes) {
  if (!mapper_) return std::string(bytes);
  partial_ += bytes;
  std::string out;
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    out += line(std::string_view(partial_).substr(start, nl - start));
  }
  partial_.erase(0, start);
  return out;
}

std::string RecordMapper::line(std::string_view record) const {
  // Ordered: the record keeps the field order the VM wrote.
  auto j = nlohmann::ordered_json::parse(record, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("type", "") != "error" ||
      !j.contains("message") || !j["message"].is_string()) {
    return std::string(record) + "\n";
  }
  j["message"] = mapper_->runtimeLine(j["message"].get<std::string>());
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace vprobe

// vprobe -f json: the VM's JSON records, passed through as they are,
// except that a runtime error record of a script compiled from Emmett has
// its "message" about the Emmett source, as the text format's error lines
// are (emmett::VpErrorMapper::runtimeLine).
#pragma once

#include <string>
#include <string_view>

#include "emmett2vp/vp_error_mapper.h"

namespace vprobe {

class RecordMapper {
 public:
  explicit RecordMapper(const emmett::VpErrorMapper* mapper) : mapper_(mapper) {}

  // The whole lines that `bytes` completes, error messages mapped; an
  // unfinished line waits for the rest.
  std::string map(std::string_view bytes);

 private:
  std::string line(std::string_view record) const;

  const emmett::VpErrorMapper* mapper_;  // null: VP input, nothing to map
  std::string partial_;
};

}  // namespace vprobe

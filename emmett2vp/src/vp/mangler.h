// VP names for Emmett names. VP reserves names whose letters are all
// capitals (built-ins), limits names to 63 bytes, and has its own keywords;
// generated names (locals, temporaries) contain a '.', which no Emmett
// identifier can, so they never collide with user names.
#pragma once

#include <string>
#include <string_view>

namespace emmett {

// `count` stays `count`; `MAX` becomes `u.MAX`; `cond` becomes `u.cond`.
std::string vpName(std::string_view emmettName);
// `owner.name`, shortened if needed (`f.x`, `probe3.wid`).
std::string vpLocalName(std::string_view owner, std::string_view name);
// Shortens names over 63 bytes, keeping them distinct with a hash.
std::string fitName(std::string name);
// A name the generated VP must not define: reserved in VP's vocabulary
// (vp/vocabulary.h) at any version, in all capitals, or a word VP uses
// inside its forms.
bool isVpReserved(std::string_view name);

}  // namespace emmett

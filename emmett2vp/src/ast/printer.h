// Prints the AST, one node per line, indented, with types once the type
// checker has run (`emmett --dump-ast`).
#pragma once

#include <string>

#include "emmett2vp/src/ast/ast.h"

namespace emmett {

std::string printAst(ast::Program& program);

}  // namespace emmett

// The passes in the order they run. Each pass requires the ones before it.
//
//   preprocess      EPP: text -> text + line map          (epp/preprocessor.h)
//   parse           text -> AST                           (parser/parser.h)
//   resolveProbes   probe names -> VP probe points        (needs: a symbol file,
//                                                          symbol databases)
//   resolveNames    declarations, types, identifiers      (needs: probe kinds,
//                                                          for probe parameters)
//   checkTypes      types of expressions, type errors     (needs: symbols)
//   markRecursion   functions on call cycles              (needs: symbols)
//   lowerToVp       AST -> VP text                        (needs: all, no errors)
#pragma once

#include "emmett2vp/src/passes/call_graph.h"
#include "emmett2vp/src/passes/lowering.h"
#include "emmett2vp/src/passes/name_resolver.h"
#include "emmett2vp/src/passes/probe_resolver.h"
#include "emmett2vp/src/passes/type_checker.h"

package session

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
)

// Splitting a cell.
//
// yaegi evaluates either a file of declarations or the body of main, and decides which from
// the first token, so a cell mixing the two must be cut up. A cell is cut into top-level
// units at the semicolons (written or inserted at line ends) that sit outside any bracket:
//
//   - import units, evaluated first;
//   - declaration units: func and method declarations, type and const declarations.
//     Consecutive declarations are evaluated together, so they may refer to each other in
//     any order, as in a Go file;
//   - statement units: everything else, one top-level statement per evaluation, so that a
//     runtime panic names the statement it happened in. var declarations are statements
//     too: yaegi rejects a global var declaration that reads a global of an earlier
//     evaluation ("variable definition loop"), and accepts the same text as a statement.
//
// Each evaluation is prefixed with a //line directive naming the cell ("cell3.go") and the
// unit's first line and column, so yaegi's errors point into the cell.

type unitKind int

const (
	importUnit unitKind = iota
	declUnit
	stmtUnit
	packageUnit // dropped
)

func (k unitKind) String() string {
	return [...]string{"import", "declaration", "statement", "package"}[k]
}

// unit is a run of the cell evaluated in one call.
type unit struct {
	kind       unitKind
	start, end int // byte offsets in the cell
	first      int // offset of the first token (start may be a doc comment before it)

	// Filled by parse.
	fset   *token.FileSet
	file   *ast.File  // import and declaration units
	stmts  []ast.Stmt // statement units: exactly one
	base   int        // offset in the parsed source of the cell's byte 0
	parsed string     // the source handed to go/parser
	errs   scanner.ErrorList
	scope  *ast.Scope // statement units: the wrapper function's scope (locals it declares)
	decls  []ast.Decl // declaration units
	isLast bool       // the cell's last unit
}

// splitCell cuts code into units. Syntax errors are left for parse to report; the cut is
// best effort for such a cell.
func splitCell(code string) []unit {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	s.Init(file, []byte(code), nil, scanner.ScanComments)

	var units []unit
	var cur []tok
	curStart := -1
	depth := 0
	header := false // in the header of for, if or switch: its semicolons do not split
	flush := func(end int) {
		if len(cur) == 0 {
			curStart = -1
			return
		}
		units = append(units, unit{kind: classify(cur), start: curStart, end: end, first: cur[0].off})
		cur = nil
		curStart = -1
	}
	for {
		pos, t, _ := s.Scan()
		if t == token.EOF {
			flush(len(code))
			break
		}
		off := file.Offset(pos)
		if t == token.COMMENT {
			if depth == 0 && len(cur) == 0 && curStart < 0 {
				curStart = off // a doc comment belongs to the unit it precedes
			}
			continue
		}
		if depth == 0 && t == token.SEMICOLON && !header {
			flush(off)
			continue
		}
		labeled := len(cur) == 2 && cur[0].t == token.IDENT && cur[1].t == token.COLON
		if (len(cur) == 0 || labeled) && (t == token.FOR || t == token.IF || t == token.SWITCH) {
			header = true
		}
		if depth == 0 && t == token.LBRACE {
			header = false
		}
		switch t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		}
		if curStart < 0 {
			curStart = off
		}
		cur = append(cur, tok{off, t})
	}
	// Drop comment-only units (a trailing comment) and a package clause (code pasted from
	// a Go file).
	out := units[:0]
	for _, u := range units {
		if strings.TrimSpace(code[u.start:u.end]) != "" && u.kind != packageUnit {
			out = append(out, u)
		}
	}
	// Merge consecutive declarations.
	merged := out[:0]
	for _, u := range out {
		if n := len(merged); n > 0 && u.kind == declUnit && merged[n-1].kind == declUnit {
			merged[n-1].end = u.end
			continue
		}
		merged = append(merged, u)
	}
	if len(merged) > 0 {
		merged[len(merged)-1].isLast = true
	}
	return merged
}

// tok is one token of a cell, as the splitter sees it.
type tok struct {
	off int
	t   token.Token
}

// classify decides the kind of a unit from its tokens.
func classify(toks []tok) unitKind {
	switch toks[0].t {
	case token.PACKAGE:
		return packageUnit
	case token.IMPORT:
		return importUnit
	case token.TYPE, token.CONST:
		return declUnit
	case token.FUNC:
		if len(toks) < 2 {
			return stmtUnit
		}
		if toks[1].t == token.IDENT {
			return declUnit // func name(...)
		}
		if toks[1].t != token.LPAREN {
			return stmtUnit
		}
		// func (recv T) Name( is a method; func(params) ... is a literal.
		depth := 0
		for i := 1; i < len(toks); i++ {
			switch toks[i].t {
			case token.LPAREN, token.LBRACK, token.LBRACE:
				depth++
			case token.RPAREN, token.RBRACK, token.RBRACE:
				depth--
			}
			if depth == 0 {
				if i+2 < len(toks) && toks[i+1].t == token.IDENT &&
					(toks[i+2].t == token.LPAREN || toks[i+2].t == token.LBRACK) {
					return declUnit
				}
				return stmtUnit
			}
		}
	}
	return stmtUnit
}

// cellPos converts byte offsets of a cell into line and column (1-based, columns in bytes
// as go/token counts them), and writes the line directives that carry them through yaegi.
//
// yaegi keys imports by the file name of the evaluated source's first position and looks
// them up by the file name of each node, so a directive naming a file ("//line cell3.go:2:1")
// breaks `x := strings.ToUpper(s)` at top level. The directives therefore keep the empty
// file name and encode the cell in the line instead: line N·lineBase + L is line L of cell
// N. decodePositions turns such positions in messages back into "cellN.go:L:C".
type cellPos struct {
	name  string // "cell3.go"
	n     int    // 3
	lines []int  // offsets of line starts
}

// Encoded lines: go/scanner rejects line numbers from 2³⁰ on, so a cell may have up to
// lineBase-1 lines and cell numbers wrap after cellWrap (an old function's frames would
// then name the wrong cell, after a hundred thousand cells).
const (
	lineBase = 10000
	cellWrap = 100000
)

// enc returns the encoded line of line l.
func (p cellPos) enc(l int) int { return ((p.n-1)%cellWrap+1)*lineBase + min(l, lineBase-1) }

func newCellPos(n int, code string) cellPos {
	p := cellPos{name: fmt.Sprintf("cell%d.go", n), n: n, lines: []int{0}}
	for i := 0; i < len(code); i++ {
		if code[i] == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	return p
}

func (p cellPos) at(off int) (line, col int) {
	lo, hi := 0, len(p.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - p.lines[lo] + 1
}

// where returns "cellN.go:L:C" for off.
func (p cellPos) where(off int) string {
	l, c := p.at(off)
	return fmt.Sprintf("%s:%d:%d", p.name, l, c)
}

// lineDirective returns a //line comment (on its own line) placing the next line at off.
func (p cellPos) lineDirective(off int) string {
	l, c := p.at(off)
	return fmt.Sprintf("\n//line :%d:%d\n", p.enc(l), c)
}

// inlineDirective returns a /*line*/ comment placing the next character at off.
func (p cellPos) inlineDirective(off int) string {
	l, c := p.at(off)
	return fmt.Sprintf("/*line :%d:%d*/", p.enc(l), c)
}

var encodedPos = regexp.MustCompile(`\b(\d{5,}):(\d+)\b`)

// lastCell is the number of the most recent cell of any session (a restarted kernel has one
// live session), to undo the wrapping of cell numbers.
var lastCell atomic.Int64

// unwrapCell returns the most recent cell number whose encoding is k.
func unwrapCell(k int) int {
	last := int(lastCell.Load())
	if last <= cellWrap {
		return k
	}
	n := last - (last-k)%cellWrap
	if n > last {
		n -= cellWrap
	}
	return n
}

// decodePositions rewrites the encoded positions in msg as "cellN.go:L:C".
func decodePositions(msg string) string {
	return encodedPos.ReplaceAllStringFunc(msg, func(m string) string {
		sub := encodedPos.FindStringSubmatch(m)
		line, err := strconv.Atoi(sub[1])
		if err != nil || line < lineBase {
			return m
		}
		return fmt.Sprintf("cell%d.go:%d:%s", unwrapCell(line/lineBase), line%lineBase, sub[2])
	})
}

// parse parses the unit u of code, keeping positions in the cell's coordinates.
func (u *unit) parse(p cellPos, code string) error {
	u.fset = token.NewFileSet()
	text := code[u.start:u.end]
	switch u.kind {
	case importUnit, declUnit:
		prefix := "package main" + p.lineDirective(u.start)
		u.parsed = prefix + text
		u.base = len(prefix) - u.start
		f, err := parser.ParseFile(u.fset, "", u.parsed, parser.ParseComments)
		if err != nil {
			return err
		}
		u.file = f
		u.decls = f.Decls
		if u.kind == declUnit {
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
					return fmt.Errorf("%s: imports must come before other declarations", p.where(u.off(g.Pos())))
				}
			}
		}
	case stmtUnit:
		prefix := "package main\nfunc _() {" + p.lineDirective(u.start)
		u.parsed = prefix + text + "\n}"
		u.base = len(prefix) - u.start
		f, err := parser.ParseFile(u.fset, "", u.parsed, parser.ParseComments)
		if err != nil {
			return err
		}
		u.file = f
		fn := f.Decls[0].(*ast.FuncDecl)
		u.stmts = fn.Body.List
		if len(u.stmts) != 1 {
			return fmt.Errorf("%s: expected one statement, found %d", p.where(u.start), len(u.stmts))
		}
	}
	return nil
}

// off returns the cell offset of pos, a position in u's parsed source.
func (u *unit) off(pos token.Pos) int {
	return u.fset.File(pos).Offset(pos) - u.base
}

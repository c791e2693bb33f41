package callbacks

// Python's str.format for ModelCheckpoint's file name templates: replacement fields
// {name} and {name:spec} with the format specification mini-language of Python 3 for
// integers (the epoch) and floats (the logs values), as Keras fills
// filepath.format(epoch=epoch + 1, **logs).

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// formatTemplate fills template's replacement fields from ints and floats, by name, as
// Python's template.format(**values) does. "{{" and "}}" stand for braces.
func formatTemplate(template string, ints map[string]int, floats map[string]float64) (string, error) {
	var b strings.Builder
	for i := 0; i < len(template); {
		c := template[i]
		switch {
		case c == '{' && strings.HasPrefix(template[i:], "{{"):
			b.WriteByte('{')
			i += 2
		case c == '}' && strings.HasPrefix(template[i:], "}}"):
			b.WriteByte('}')
			i += 2
		case c == '}':
			return "", fmt.Errorf("single '}' at byte %d of %q (write }} for a brace)", i, template)
		case c == '{':
			end := strings.IndexByte(template[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("unclosed '{' at byte %d of %q", i, template)
			}
			field := template[i+1 : i+end]
			name, spec, _ := strings.Cut(field, ":")
			if strings.ContainsAny(name, "!.[{") || name == "" {
				return "", fmt.Errorf("replacement field {%s} in %q: only {name} and {name:spec} are supported", field, template)
			}
			var s string
			var err error
			if v, ok := ints[name]; ok {
				s, err = formatInt(v, spec)
			} else if v, ok := floats[name]; ok {
				s, err = formatFloat(v, spec)
			} else {
				return "", fmt.Errorf("no value for {%s} in %q; available: %s", name, template, available(ints, floats))
			}
			if err != nil {
				return "", fmt.Errorf("{%s} in %q: %v", field, template, err)
			}
			b.WriteString(s)
			i += end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func available(ints map[string]int, floats map[string]float64) string {
	var ks []string
	for k := range ints {
		ks = append(ks, k)
	}
	for k := range floats {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return strings.Join(ks, ", ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// formatSpec is a parsed format specification:
// [[fill]align][sign][0][width][grouping][.precision][type].
type formatSpec struct {
	fill      rune
	align     byte // '<', '>', '=', '^' or 0 (the type's default)
	sign      byte // '+', '-', ' '
	width     int
	grouping  byte // ',', '_' or 0
	precision int  // -1 when not given
	typ       byte // 0 when not given
}

func parseSpec(spec string) (formatSpec, error) {
	f := formatSpec{fill: ' ', sign: '-', precision: -1}
	s := spec
	if r, n := utf8.DecodeRuneInString(s); n > 0 && len(s) > n && strings.IndexByte("<>=^", s[n]) >= 0 {
		f.fill, f.align = r, s[n]
		s = s[n+1:]
	} else if len(s) > 0 && strings.IndexByte("<>=^", s[0]) >= 0 {
		f.align = s[0]
		s = s[1:]
	}
	if len(s) > 0 && strings.IndexByte("+- ", s[0]) >= 0 {
		f.sign = s[0]
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '#' {
		return f, fmt.Errorf("the alternate form '#' is not supported")
	}
	if len(s) > 0 && s[0] == '0' {
		if f.align == 0 {
			f.fill, f.align = '0', '='
		}
		s = s[1:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n > 0 {
		f.width, _ = strconv.Atoi(s[:n])
		s = s[n:]
	}
	if len(s) > 0 && (s[0] == ',' || s[0] == '_') {
		f.grouping = s[0]
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '.' {
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 1 {
			return f, fmt.Errorf("format specifier %q: missing precision after '.'", spec)
		}
		f.precision, _ = strconv.Atoi(s[1:n])
		s = s[n:]
	}
	if len(s) > 1 {
		return f, fmt.Errorf("invalid format specifier %q", spec)
	}
	if len(s) == 1 {
		f.typ = s[0]
	}
	return f, nil
}

// formatInt formats v as Python's format(int, spec).
func formatInt(v int, spec string) (string, error) {
	f, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	switch f.typ {
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		return formatFloatSpec(float64(v), f)
	case 0, 'd', 'n':
		if f.precision >= 0 {
			return "", fmt.Errorf("precision not allowed in integer format specifier %q", spec)
		}
	default:
		return "", fmt.Errorf("unknown format code '%c' for an integer", f.typ)
	}
	digits := strconv.Itoa(v)
	neg := v < 0
	if neg {
		digits = digits[1:]
	}
	if f.grouping != 0 {
		digits = group(digits, f.grouping)
	}
	return pad(f, signOf(neg, f.sign), digits), nil
}

// formatFloat formats v as Python's format(float, spec).
func formatFloat(v float64, spec string) (string, error) {
	f, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	switch f.typ {
	case 0, 'e', 'E', 'f', 'F', 'g', 'G', '%', 'n':
	case 'd':
		return "", fmt.Errorf("unknown format code 'd' for a float (logs values are floats: use .0f)")
	default:
		return "", fmt.Errorf("unknown format code '%c' for a float", f.typ)
	}
	return formatFloatSpec(v, f)
}

func formatFloatSpec(v float64, f formatSpec) (string, error) {
	neg := math.Signbit(v) && !math.IsNaN(v)
	a := math.Abs(v)
	prec := f.precision
	var body string
	switch {
	case math.IsInf(a, 0) || math.IsNaN(a):
		body = "inf"
		if math.IsNaN(a) {
			body = "nan"
		}
		if f.typ == 'E' || f.typ == 'F' || f.typ == 'G' {
			body = strings.ToUpper(body)
		}
		if f.typ == '%' {
			body += "%"
		}
	case f.typ == 'f' || f.typ == 'F':
		body = strconv.FormatFloat(a, 'f', defPrec(prec), 64)
	case f.typ == 'e' || f.typ == 'E':
		body = strconv.FormatFloat(a, 'e', defPrec(prec), 64)
		if f.typ == 'E' {
			body = strings.ToUpper(body)
		}
	case f.typ == 'g' || f.typ == 'G' || f.typ == 'n':
		p := defPrec(prec)
		if p == 0 {
			p = 1
		}
		body = strconv.FormatFloat(a, 'g', p, 64)
		if f.typ == 'G' {
			body = strings.ToUpper(body)
		}
	case f.typ == '%':
		body = strconv.FormatFloat(a*100, 'f', defPrec(prec), 64) + "%"
	case prec < 0: // no type, no precision: Python's repr
		body = pyRepr(a)
	default:
		body = noTypePrecision(a, prec)
	}
	if f.grouping != 0 {
		intPart, rest := body, ""
		if k := strings.IndexAny(body, ".e%"); k >= 0 {
			intPart, rest = body[:k], body[k:]
		}
		if strings.Trim(intPart, "0123456789") == "" {
			body = group(intPart, f.grouping) + rest
		}
	}
	return pad(f, signOf(neg, f.sign), body), nil
}

// noTypePrecision formats a non-negative float as Python does for a precision p and no
// type: p significant digits, scientific when the exponent is below -4 or at least p-1,
// else fixed-point with trailing zeros dropped but one digit kept after the point.
func noTypePrecision(a float64, p int) string {
	if p == 0 {
		p = 1
	}
	e := strconv.FormatFloat(a, 'e', p-1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= p-1 {
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		return mant + "e" + expStr
	}
	s := strconv.FormatFloat(a, 'f', p-1-exp, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
	}
	if strings.HasSuffix(s, ".") || !strings.Contains(s, ".") {
		s = strings.TrimSuffix(s, ".") + ".0"
	}
	return s
}

func defPrec(p int) int {
	if p < 0 {
		return 6
	}
	return p
}

// pyRepr formats a non-negative float as Python's repr: the shortest digits that read
// back, fixed-point for exponents from -4 to 15 (with ".0" when integral), else scientific
// with at least two exponent digits.
func pyRepr(a float64) string {
	s := strconv.FormatFloat(a, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", m, sign, exp)
	}
	if exp < 0 {
		return "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return digits[:exp+1] + "." + digits[exp+1:]
}

// group inserts sep every three digits of a run of decimal digits.
func group(digits string, sep byte) string {
	var b []byte
	for i := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, sep)
		}
		b = append(b, digits[i])
	}
	return string(b)
}

func signOf(neg bool, mode byte) string {
	switch {
	case neg:
		return "-"
	case mode == '+':
		return "+"
	case mode == ' ':
		return " "
	}
	return ""
}

// pad aligns sign+body to f.width with f.fill; numbers align right by default, and '='
// pads between the sign and the digits.
func pad(f formatSpec, sign, body string) string {
	n := utf8.RuneCountInString(sign) + utf8.RuneCountInString(body)
	if n >= f.width {
		return sign + body
	}
	fill := strings.Repeat(string(f.fill), f.width-n)
	switch f.align {
	case '<':
		return sign + body + fill
	case '^':
		left := fill[:len(string(f.fill))*((f.width-n)/2)]
		return left + sign + body + fill[len(left):]
	case '=':
		return sign + fill + body
	}
	return fill + sign + body
}

/* CloudFormation YAML -> (body, lines) straight from libyaml's events, for the common case.
 *
 * iacviz/sources/cfn_yaml.py is the definition: it lets PyYAML's CParser compose a node graph
 * and builds from the nodes. This module reads the very same libyaml events and builds the same
 * dicts, lists and strings without the node graph (composing made ~80% of the read time). It
 * only handles what needs no judgement and answers None for everything else, after which the
 * Python path runs unchanged and gives its exact value or TemplateError:
 *
 *   any libyaml error, an empty stream, more than one document, a root that is not an untagged
 *   mapping, an anchor or alias, a core (!!) or non-specific (!) tag, a key
 *   that is not an untagged scalar, an empty or "<<" key, a duplicate key, a body nesting deeper
 *   than max_depth (counted as limits.too_deep counts: the mapping a short form makes is a
 *   level), text that is not valid UTF-8 once encoded, anything but an exact str. So a body
 *   built here needs no depth check of its own.
 *
 * Scalars: quoted -> str; plain -> str, unless its first character is one of "0123456789+-."
 * or it is one of YAML 1.1's words or empty: then the Python `plain` callable resolves it, so
 * number and bool resolution live in one place. "Plain" is libyaml's plain_implicit, as PyYAML's
 * CParser hands it to the resolver.
 *
 * A tag that is neither a short form (SHORT_FORMS, passed in) nor one of those is a tag
 * CloudFormation does not know (rain's !Rain::Embed): the Python path refuses the template at the
 * first one, in document order, once the whole stream has parsed. So the first is remembered,
 * its node read on as if untagged, and if nothing else hands the text back the answer is
 * (None, tag, line): the Python path's refusal without composing the document again.
 *
 * load(text, plain, short_forms, sections, max_depth) -> (body, lines), (None, tag, line) or None
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    yaml_parser_t parser;
    yaml_event_t event; /* the current event, owned while has_event */
    int has_event;
    int fallback; /* set when the Python path must decide */
    PyObject *plain;
    PyObject *short_forms;
    PyObject *sections;
    PyObject *lines;
    long max_depth;
    PyObject *unknown; /* the first tag CloudFormation does not know, or NULL */
    long unknown_line;
} Reader;

/* Next event into r->event; -1 (fallback) on a libyaml error. */
static int next_event(Reader *r) {
    if (r->has_event) {
        yaml_event_delete(&r->event);
        r->has_event = 0;
    }
    if (!yaml_parser_parse(&r->parser, &r->event)) {
        r->fallback = 1;
        return -1;
    }
    r->has_event = 1;
    return 0;
}

static PyObject *fall_back(Reader *r) {
    r->fallback = 1;
    return NULL;
}

static PyObject *decode(const yaml_char_t *text, size_t length, Reader *r) {
    PyObject *s = PyUnicode_DecodeUTF8((const char *)text, (Py_ssize_t)length, "strict");
    if (s == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        r->fallback = 1;
    }
    return s;
}

/* YAML 1.1 words the resolver turns into bool or None (cfn_yaml._WORDS, "" aside). */
static const char *const WORDS[] = {
    "yes", "Yes", "YES", "on",    "On",    "ON",    "true", "True", "TRUE", "no",   "No",
    "NO",  "off", "Off", "OFF",   "false", "False", "FALSE", "~",   "null", "Null", "NULL", NULL,
};

static int needs_resolving(const char *text, size_t length) {
    if (length == 0 || strchr("0123456789+-.", text[0]) != NULL)
        return 1;
    if (length > 5)
        return 0;
    for (const char *const *w = WORDS; *w != NULL; w++)
        if (strlen(*w) == length && memcmp(*w, text, length) == 0)
            return 1;
    return 0;
}

#define CORE_PREFIX "tag:yaml.org,2002:"

/* The long-form name of a short-form tag, borrowed; Py_None for a tag CloudFormation does not
 * know (the first remembered with its line; the node is read as if untagged); NULL with
 * fallback set for a core or non-specific tag, which the Python path resolves. */
static PyObject *short_form(Reader *r, const yaml_char_t *tag) {
    PyObject *key = PyUnicode_FromString((const char *)tag);
    if (key == NULL) {
        if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
            PyErr_Clear();
            r->fallback = 1;
        }
        return NULL;
    }
    PyObject *name = PyDict_GetItemWithError(r->short_forms, key);
    if (name != NULL || PyErr_Occurred()) {
        Py_DECREF(key);
        return name;
    }
    const char *text = (const char *)tag;
    if (strcmp(text, "!") == 0 || strncmp(text, CORE_PREFIX, strlen(CORE_PREFIX)) == 0) {
        Py_DECREF(key);
        r->fallback = 1;
        return NULL;
    }
    if (r->unknown == NULL) {
        r->unknown = key; /* the reference is the reader's now */
        r->unknown_line = (long)r->event.start_mark.line + 1;
    } else {
        Py_DECREF(key);
    }
    return Py_None;
}

static PyObject *wrap(PyObject *name, PyObject *value) {
    if (value == NULL)
        return NULL;
    PyObject *out = PyDict_New();
    if (out != NULL && PyDict_SetItem(out, name, value) < 0)
        Py_CLEAR(out);
    Py_DECREF(value);
    return out;
}

static PyObject *build_node(Reader *r, long depth, PyObject *prefix);

/* The mapping whose MAPPING_START is the current event; `prefix` (a section name or NULL) asks
 * for each key's line, as cfn_yaml._node_lines records them. */
static PyObject *build_mapping(Reader *r, long depth, PyObject *prefix) {
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    for (;;) {
        if (next_event(r) < 0)
            goto fail;
        if (r->event.type == YAML_MAPPING_END_EVENT)
            return out;
        yaml_event_t *e = &r->event;
        if (e->type != YAML_SCALAR_EVENT || e->data.scalar.tag != NULL || e->data.scalar.anchor != NULL ||
            e->data.scalar.length == 0 ||
            (e->data.scalar.length == 2 && memcmp(e->data.scalar.value, "<<", 2) == 0)) {
            r->fallback = 1;
            goto fail;
        }
        size_t line = e->start_mark.line + 1;
        PyObject *key = decode(e->data.scalar.value, e->data.scalar.length, r);
        if (key == NULL)
            goto fail;
        int seen = PyDict_Contains(out, key);
        if (seen != 0) {
            if (seen > 0)
                r->fallback = 1;
            Py_DECREF(key);
            goto fail;
        }
        if (prefix != NULL) {
            PyObject *where = PyUnicode_FromFormat("%U/%U", prefix, key);
            PyObject *number = where ? PyLong_FromSize_t(line) : NULL;
            int bad = number == NULL || PyDict_SetItem(r->lines, where, number) < 0;
            Py_XDECREF(where);
            Py_XDECREF(number);
            if (bad) {
                Py_DECREF(key);
                goto fail;
            }
        }
        PyObject *child_prefix = NULL;
        if (depth == 1) { /* the root: its sections' keys get lines */
            int section = PySequence_Contains(r->sections, key);
            if (section < 0) {
                Py_DECREF(key);
                goto fail;
            }
            if (section)
                child_prefix = key;
        }
        if (next_event(r) < 0) {
            Py_DECREF(key);
            goto fail;
        }
        PyObject *value = build_node(r, depth + 1, child_prefix);
        if (value == NULL) {
            Py_DECREF(key);
            goto fail;
        }
        int bad = PyDict_SetItem(out, key, value) < 0;
        Py_DECREF(key);
        Py_DECREF(value);
        if (bad)
            goto fail;
    }
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *build_sequence(Reader *r, long depth) {
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (;;) {
        if (next_event(r) < 0)
            goto fail;
        if (r->event.type == YAML_SEQUENCE_END_EVENT)
            return out;
        PyObject *item = build_node(r, depth + 1, NULL);
        if (item == NULL)
            goto fail;
        int bad = PyList_Append(out, item) < 0;
        Py_DECREF(item);
        if (bad)
            goto fail;
    }
fail:
    Py_DECREF(out);
    return NULL;
}

/* The node whose first event is the current one; depth counts collections (the root is 1). */
static PyObject *build_node(Reader *r, long depth, PyObject *prefix) {
    yaml_event_t *e = &r->event;
    switch (e->type) {
    case YAML_SCALAR_EVENT: {
        if (e->data.scalar.anchor != NULL)
            return fall_back(r);
        if (e->data.scalar.tag == NULL) {
            PyObject *text = decode(e->data.scalar.value, e->data.scalar.length, r);
            if (text == NULL || !e->data.scalar.plain_implicit ||
                !needs_resolving((const char *)e->data.scalar.value, e->data.scalar.length))
                return text;
            PyObject *value = PyObject_CallOneArg(r->plain, text);
            Py_DECREF(text);
            return value;
        }
        PyObject *name = short_form(r, e->data.scalar.tag);
        if (name == NULL)
            return NULL;
        if (name == Py_None) /* refused at the end: any value will do */
            return decode(e->data.scalar.value, e->data.scalar.length, r);
        /* the body's depth, not the YAML's: the tag makes a mapping here, and !GetAtt's a list
         * below it; deeper than max_depth goes to the Python path, which refuses it */
        int getatt = PyUnicode_CompareWithASCIIString(name, "Fn::GetAtt") == 0;
        if (depth + getatt > r->max_depth)
            return fall_back(r);
        PyObject *text = decode(e->data.scalar.value, e->data.scalar.length, r);
        if (text == NULL)
            return NULL;
        if (getatt) {
            /* "A.B.C" -> ["A", "B.C"], as str.split(".", 1) */
            PyObject *dot = PyUnicode_FromString(".");
            PyObject *parts = dot ? PyUnicode_Split(text, dot, 1) : NULL;
            Py_XDECREF(dot);
            Py_DECREF(text);
            text = parts;
        }
        return wrap(name, text);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int mapping = e->type == YAML_MAPPING_START_EVENT;
        yaml_char_t *anchor = mapping ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
        yaml_char_t *tag = mapping ? e->data.mapping_start.tag : e->data.sequence_start.tag;
        /* a tag wraps the collection in a mapping: the collection itself is one level deeper */
        long inner = depth + (tag != NULL);
        if (anchor != NULL || inner > r->max_depth)
            return fall_back(r);
        PyObject *name = NULL;
        if (tag != NULL) {
            name = short_form(r, tag);
            if (name == NULL)
                return NULL;
            if (name == Py_None) /* refused at the end: the collection is read unwrapped */
                name = NULL;
            else
                Py_INCREF(name); /* borrowed from short_forms, which Python code could change meanwhile */
        }
        PyObject *value = mapping ? build_mapping(r, inner, prefix) : build_sequence(r, inner);
        if (name == NULL)
            return value;
        PyObject *out = wrap(name, value);
        Py_DECREF(name);
        return out;
    }
    default: /* an alias */
        return fall_back(r);
    }
}

static PyObject *read_stream(Reader *r) {
    if (next_event(r) < 0 || r->event.type != YAML_STREAM_START_EVENT)
        return fall_back(r);
    if (next_event(r) < 0 || r->event.type != YAML_DOCUMENT_START_EVENT)
        return fall_back(r); /* an empty stream */
    if (next_event(r) < 0)
        return NULL;
    yaml_event_t *e = &r->event;
    if (e->type != YAML_MAPPING_START_EVENT || e->data.mapping_start.tag != NULL ||
        e->data.mapping_start.anchor != NULL)
        return fall_back(r);
    PyObject *body = build_node(r, 1, NULL);
    if (body == NULL)
        return NULL;
    if (next_event(r) < 0 || r->event.type != YAML_DOCUMENT_END_EVENT || next_event(r) < 0 ||
        r->event.type != YAML_STREAM_END_EVENT) {
        Py_DECREF(body);
        return fall_back(r);
    }
    return body;
}

static PyObject *load(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyDict_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "load(text, plain, short_forms, sections, max_depth)");
        return NULL;
    }
    if (!PyUnicode_CheckExact(args[0])) /* PyYAML's CParser takes exactly str (or bytes, a file) */
        Py_RETURN_NONE;
    Py_ssize_t size;
    const char *data = PyUnicode_AsUTF8AndSize(args[0], &size);
    if (data == NULL) { /* a lone surrogate: the Python path reports it */
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
            return NULL;
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    long max_depth = PyLong_AsLong(args[4]);
    if (max_depth == -1 && PyErr_Occurred())
        return NULL;
    Reader r;
    memset(&r, 0, sizeof r);
    if (!yaml_parser_initialize(&r.parser))
        return PyErr_NoMemory();
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)data, (size_t)size);
    r.plain = args[1];
    r.short_forms = args[2];
    r.sections = args[3];
    r.max_depth = max_depth;
    r.lines = PyDict_New();
    PyObject *body = r.lines ? read_stream(&r) : NULL;
    if (r.has_event)
        yaml_event_delete(&r.event);
    yaml_parser_delete(&r.parser);
    PyObject *out = NULL;
    if (body == NULL) {
        if (!PyErr_Occurred())
            out = Py_NewRef(Py_None); /* r.fallback */
    } else if (r.unknown != NULL) {
        out = Py_BuildValue("(OOl)", Py_None, r.unknown, r.unknown_line);
    } else {
        out = PyTuple_Pack(2, body, r.lines);
    }
    Py_XDECREF(body);
    Py_XDECREF(r.lines);
    Py_XDECREF(r.unknown);
    return out;
}

static PyMethodDef methods[] = {
    {"load", (PyCFunction)(void (*)(void))load, METH_FASTCALL,
     "load(text, plain, short_forms, sections, max_depth) -> (body, lines), (None, tag, line) for "
     "a template whose only fault is a tag CloudFormation does not know, or None when the Python "
     "reader must decide."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cfn_yaml_fast", "CloudFormation YAML built from libyaml events.", -1, methods,
};

/* What cfn_yaml may trust a build with; bumped when that changes (2: the body's depth is bounded,
 * short forms counted; 3: an unknown tag is answered (None, tag, line)). cfn_yaml uses no build of another INTERFACE, so a stale module left in a
 * checkout falls back to the Python path instead of being trusted with what it does not do. */
#define INTERFACE 3

PyMODINIT_FUNC PyInit__cfn_yaml_fast(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/* A JSON template's section-key lines and whether any object repeats a key, in one pass.
 *
 * iacviz/sources/cfn_json.py is the definition: json.loads builds the body with a hook that
 * refuses duplicate keys, and _scan_tokens walks the tokens for the exact lines of the keys of
 * the sections (Parameters, Conditions, Resources, Outputs: the keys of the mappings that are
 * the values of those top-level keys). This module does the token walk in C over text that
 * json.loads has already accepted, so the body can be parsed without the per-object hook:
 *
 *   scan(text, sections) -> (lines, duplicate), or None to hand back
 *
 * `lines` is what _scan_tokens returns ({"Resources/Q": 3, ...}); `duplicate` says some object
 * holds a key twice (the caller then lets _scan_tokens name it and its line). A key holding a
 * backslash (an escape: its text is not its value) makes it answer None, and the Python path
 * decides. Keys are compared as their UTF-8 bytes, which for valid JSON without escapes is
 * comparing the keys.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef struct {
    const char *at;
    Py_ssize_t size;
} Key;

/* The keys seen so far in each open object, one run per object, in one growing array. */
typedef struct {
    Key *keys;
    Py_ssize_t size, room;
} Keys;

static int add_key(Keys *k, const char *at, Py_ssize_t size) {
    if (k->size == k->room) {
        Py_ssize_t room = k->room ? k->room * 2 : 256;
        Key *keys = PyMem_Realloc(k->keys, room * sizeof(Key));
        if (keys == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        k->keys = keys;
        k->room = room;
    }
    k->keys[k->size].at = at;
    k->keys[k->size].size = size;
    k->size++;
    return 0;
}

/* Whether the key at..size is among keys[from:]; an object's keys are compared pairwise up to
 * a few dozen, through a set of bytes beyond (`seen`, made for that object on first need). */
#define PAIRWISE 32

static int repeated(Keys *k, Py_ssize_t from, const char *at, Py_ssize_t size, PyObject **seen) {
    Py_ssize_t n = k->size - from;
    if (n < PAIRWISE && *seen == NULL) {
        for (Py_ssize_t i = from; i < k->size; i++)
            if (k->keys[i].size == size && memcmp(k->keys[i].at, at, (size_t)size) == 0)
                return 1;
        return 0;
    }
    if (*seen == NULL) { /* the object's keys so far, into a set */
        *seen = PySet_New(NULL);
        if (*seen == NULL)
            return -1;
        for (Py_ssize_t i = from; i < k->size; i++) {
            PyObject *b = PyBytes_FromStringAndSize(k->keys[i].at, k->keys[i].size);
            if (b == NULL || PySet_Add(*seen, b) < 0) {
                Py_XDECREF(b);
                return -1;
            }
            Py_DECREF(b);
        }
    }
    PyObject *b = PyBytes_FromStringAndSize(at, size);
    if (b == NULL)
        return -1;
    int found = PySet_Contains(*seen, b);
    if (found == 0 && PySet_Add(*seen, b) < 0)
        found = -1;
    Py_DECREF(b);
    return found;
}

#define MAX_OPEN 4096 /* json.loads accepted the text: nesting is within Python's recursion limit */

typedef struct {
    char object;        /* 1 for an object, 0 for an array */
    Py_ssize_t from;    /* its first key in Keys */
    PyObject *seen;     /* its keys as a set, once it has many */
    PyObject *section;  /* at depth 2: the section it is the value of, else NULL (borrowed) */
} Open;

static PyObject *scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "scan(text: str, sections: tuple[str, ...])");
        return NULL;
    }
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(args[0], &size);
    if (text == NULL) { /* a lone surrogate: the Python path decides */
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
            return NULL;
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    PyObject *sections = args[1];
    Open *open = PyMem_Malloc(MAX_OPEN * sizeof(Open));
    PyObject *lines = PyDict_New();
    Keys keys = {NULL, 0, 0};
    Py_ssize_t depth = 0;
    long line = 1;
    int duplicate = 0, handed_back = 0, failed = open == NULL || lines == NULL;
    if (open == NULL)
        PyErr_NoMemory();
    /* the key most recently read at each level, as _scan_tokens' `pending`: a container opened
     * after it is its value */
    const char *pending = NULL;
    Py_ssize_t pending_size = 0;
    for (Py_ssize_t i = 0; i < size && !failed && !handed_back; i++) {
        char c = text[i];
        /* most of a pretty-printed template is indentation and plain values: passed over */
        while (c != '\n' && c != '"' && c != '{' && c != '[' && c != '}' && c != ']' && ++i < size)
            c = text[i];
        if (i >= size)
            break;
        if (c == '\n') {
            line++;
        } else if (c == '{' || c == '[') {
            if (depth == MAX_OPEN) {
                handed_back = 1;
                break;
            }
            Open *o = &open[depth];
            o->object = c == '{';
            o->from = keys.size;
            o->seen = NULL;
            o->section = NULL;
            if (depth == 1 && pending != NULL) { /* the value of a top-level key: a section? */
                for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(sections); s++) {
                    PyObject *name = PyTuple_GET_ITEM(sections, s);
                    Py_ssize_t n;
                    const char *t = PyUnicode_AsUTF8AndSize(name, &n);
                    if (t == NULL) {
                        failed = 1;
                        break;
                    }
                    if (n == pending_size && memcmp(t, pending, (size_t)n) == 0) {
                        o->section = name;
                        break;
                    }
                }
            }
            depth++;
            pending = NULL;
        } else if (c == '}' || c == ']') {
            if (depth == 0) { /* not what json.loads accepts: let Python decide */
                handed_back = 1;
                break;
            }
            depth--;
            Py_CLEAR(open[depth].seen);
            keys.size = open[depth].from;
            pending = NULL;
        } else if (c == '"') {
            Py_ssize_t start = ++i;
            int escaped = 0;
            /* the next quote at memchr speed; only a string holding a backslash is stepped
             * through, as an escaped quote does not end it */
            const char *quote = memchr(text + i, '"', (size_t)(size - i));
            Py_ssize_t stop = quote ? quote - text : size;
            if (memchr(text + i, '\\', (size_t)(stop - i)) == NULL) {
                i = stop;
            } else {
                while (i < size && text[i] != '"') {
                    if (text[i] == '\\') {
                        escaped = 1;
                        i++;
                    }
                    i++;
                }
            }
            Py_ssize_t end = i; /* text[i] is the closing quote */
            Py_ssize_t j = i + 1;
            while (j < size && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n'))
                j++;
            if (j >= size || text[j] != ':')
                continue; /* a value, not a key */
            if (escaped || depth == 0 || !open[depth - 1].object) {
                handed_back = 1;
                break;
            }
            Open *o = &open[depth - 1];
            int found = repeated(&keys, o->from, text + start, end - start, &o->seen);
            if (found < 0 || add_key(&keys, text + start, end - start) < 0) {
                failed = 1;
                break;
            }
            if (found) {
                duplicate = 1;
                break; /* _scan_tokens names the first one and its line */
            }
            pending = text + start;
            pending_size = end - start;
            if (depth == 2 && o->section != NULL) {
                PyObject *key = PyUnicode_DecodeUTF8(text + start, end - start, "strict");
                PyObject *full = key ? PyUnicode_FromFormat("%U/%U", o->section, key) : NULL;
                PyObject *number = PyLong_FromLong(line);
                if (full == NULL || number == NULL || PyDict_SetItem(lines, full, number) < 0)
                    failed = 1;
                Py_XDECREF(key);
                Py_XDECREF(full);
                Py_XDECREF(number);
            }
        }
    }
    for (Py_ssize_t d = 0; d < depth && open != NULL; d++)
        Py_CLEAR(open[d].seen);
    PyMem_Free(open);
    PyMem_Free(keys.keys);
    if (failed) {
        Py_XDECREF(lines);
        return NULL;
    }
    if (handed_back) {
        Py_DECREF(lines);
        Py_RETURN_NONE;
    }
    PyObject *out = Py_BuildValue("(OO)", lines, duplicate ? Py_True : Py_False);
    Py_DECREF(lines);
    return out;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "scan(text, sections) -> (lines, duplicate): the section keys' lines of JSON that json.loads "
     "accepted and whether an object repeats a key; None when a key holds an escape."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cfn_json_fast", "A JSON template's section lines and duplicate keys.", -1, methods,
};

/* What cfn_json may trust a build with; bumped when that changes. */
#define INTERFACE 1

PyMODINIT_FUNC PyInit__cfn_json_fast(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

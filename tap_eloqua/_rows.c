/* The tap's row typing in C: the same steps as the row converter that
 * tap_eloqua/values.py generates, one pass over a row's fields without the
 * interpreter in between. Only the common shapes are handled here (an ASCII
 * string, an integer, a decimal number, a `YYYY-MM-DD HH:MM:SS[.fff]` date);
 * every other value goes to the field's Python converter, and a row that is
 * not a dict of strings goes whole to the Python row converter, so both paths
 * give the same records (tests/test_row_converter.py compares them).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

enum { K_STRING = 0, K_INTEGER = 1, K_NUMBER = 2, K_UTC_DATE = 3, K_LOCAL_DATE = 4,
       K_OTHER = 5 };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    Py_ssize_t size;
    PyObject *names;     /* tuple of str */
    PyObject *kinds;     /* bytes, one K_* per name */
    PyObject *convs;     /* tuple: the reference converter of each field */
    PyObject *heads;     /* tuple: a local date field's `Dates.heads` dict, else None */
    PyObject *nulls;     /* dict: every name -> None, in order */
    PyObject *fallback;  /* the Python row converter, for rows this code does not read */
    PyObject **seen;     /* the key objects of the last row typed in place (strong refs) */
} RowConverter;

static const char UTC_SUFFIX[] = "+00:00";

static int
shaped(const char *s, Py_ssize_t len)
{
    return (len == 19 || (len == 23 && s[19] == '.')) && s[13] == ':';
}

static PyObject *
ascii_join(const char *a, Py_ssize_t alen, const char *b, Py_ssize_t blen)
{
    /* a + b + "+00:00", all ASCII */
    PyObject *out = PyUnicode_New(alen + blen + 6, 127);
    if (out == NULL) {
        return NULL;
    }
    char *dst = (char *)PyUnicode_1BYTE_DATA(out);
    memcpy(dst, a, (size_t)alen);
    memcpy(dst + alen, b, (size_t)blen);
    memcpy(dst + alen + blen, UTC_SUFFIX, 6);
    return out;
}

static PyObject *
small_integer(const char *s, Py_ssize_t len)
{
    /* [+-]?[0-9]{1,18} as an int; NULL without an error for anything else */
    Py_ssize_t i = 0;
    int negative = 0;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        i = 1;
    }
    if (len - i < 1 || len - i > 18) {
        return NULL;
    }
    long long value = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c < '0' || c > '9') {
            return NULL;
        }
        value = value * 10 + (c - '0');
    }
    return PyLong_FromLongLong(negative ? -value : value);
}

static PyObject *
parse_or_fall_back(PyObject *parsed, PyObject *conv, PyObject *value)
{
    /* the generated code's `try: ... except ValueError: c[i](v)` */
    if (parsed != NULL) {
        return parsed;
    }
    if (!PyErr_ExceptionMatches(PyExc_ValueError)) {
        return NULL;
    }
    PyErr_Clear();
    return PyObject_CallOneArg(conv, value);
}

static PyObject *
typed_value(RowConverter *self, Py_ssize_t index, int kind, PyObject *value)
{
    /* a new reference to the typed form of a non-empty str `value` */
    PyObject *conv = PyTuple_GET_ITEM(self->convs, index);
    if (kind == K_STRING) {
        Py_INCREF(value);
        return value;
    }
    if (kind == K_OTHER || !PyUnicode_IS_COMPACT_ASCII(value)) {
        return PyObject_CallOneArg(conv, value);
    }
    const char *s = (const char *)PyUnicode_1BYTE_DATA(value);
    Py_ssize_t len = PyUnicode_GET_LENGTH(value);
    if (kind == K_INTEGER || kind == K_NUMBER) {
        if (kind == K_NUMBER && (memchr(s, '.', (size_t)len) || memchr(s, 'e', (size_t)len)
                                 || memchr(s, 'E', (size_t)len))) {
            return parse_or_fall_back(PyFloat_FromString(value), conv, value);
        }
        PyObject *quick = small_integer(s, len);
        if (quick != NULL || PyErr_Occurred()) {
            return quick;
        }
        return parse_or_fall_back(PyLong_FromUnicodeObject(value, 10), conv, value);
    }
    if (kind == K_UTC_DATE) {
        if (shaped(s, len) && s[10] == ' ' && s[4] == '-') {
            /* s[:10] + 'T' + s[11:] + '+00:00', in one buffer */
            PyObject *            out = PyUnicode_New(len + 6, 127);
            if (out == NULL) {
                return NULL;
            }
            char *dst = (char *)PyUnicode_1BYTE_DATA(out);
            memcpy(dst, s, 10);
            dst[10] = 'T';
            memcpy(dst + 11, s + 11, (size_t)(len - 11));
            memcpy(dst + len, UTC_SUFFIX, 6);
            return out;
        }
        return PyObject_CallOneArg(conv, value);
    }
    /* K_LOCAL_DATE: `h = heads.get(v[:13])`, then `h + v[13:] + '+00:00'` */
    PyObject *heads = PyTuple_GET_ITEM(self->heads, index);
    if (len >= 13 && shaped(s, len) && PyDict_CheckExact(heads)) {
        PyObject *key = PyUnicode_FromStringAndSize(s, 13);
        if (key == NULL) {
            return NULL;
        }
        PyObject *head = PyDict_GetItemWithError(heads, key);
        Py_DECREF(key);
        if (head == NULL && PyErr_Occurred()) {
            return NULL;
        }
        if (head != NULL && PyUnicode_CheckExact(head) && PyUnicode_IS_COMPACT_ASCII(head)) {
            return ascii_join((const char *)PyUnicode_1BYTE_DATA(head),
                              PyUnicode_GET_LENGTH(head), s + 13, len - 13);
        }
    }
    return PyObject_CallOneArg(conv, value);
}

static PyObject *
copy_row(RowConverter *self, PyObject *row)
{
    /* the generated code's steps: a copy of the nulls, then each field Eloqua sent */
    PyObject *record = PyDict_Copy(self->nulls);
    if (record == NULL) {
        return NULL;
    }
    const char *kinds = PyBytes_AS_STRING(self->kinds);
    for (Py_ssize_t i = 0; i < self->size; i++) {
        PyObject *name = PyTuple_GET_ITEM(self->names, i);
        PyObject *value = PyDict_GetItemWithError(row, name);
        if (value == NULL) {
            if (PyErr_Occurred()) {
                goto error;
            }
            continue;  /* a missing field stays null */
        }
        if (!PyUnicode_CheckExact(value)) {
            Py_DECREF(record);  /* not Eloqua's strings: the Python path reads the row */
            return PyObject_CallOneArg(self->fallback, row);
        }
        if (PyUnicode_GET_LENGTH(value) == 0) {
            continue;  /* "" is null */
        }
        PyObject *typed = typed_value(self, i, kinds[i], value);
        if (typed == NULL) {
            goto error;
        }
        int failed = PyDict_SetItem(record, name, typed);
        Py_DECREF(typed);
        if (failed) {
            goto error;
        }
    }
    return record;
error:
    Py_DECREF(record);
    return NULL;
}

static int
same_fields(RowConverter *self, PyObject *row)
{
    /* 1 when the row's keys are the plan's names, in order, and every value is a str;
     * 0 when not; -1 on error. A key object seen at the same place in the last row (orjson
     * reuses them) is matched by identity. */
    if (PyDict_GET_SIZE(row) != self->size) {
        return 0;
    }
    Py_ssize_t position = 0, i = 0;
    PyObject *key, *value;
    while (PyDict_Next(row, &position, &key, &value)) {
        if (!PyUnicode_CheckExact(value)) {
            return 0;
        }
        if (key != self->seen[i]) {
            int equal = PyUnicode_CheckExact(key)
                        && PyUnicode_Compare(key, PyTuple_GET_ITEM(self->names, i)) == 0;
            if (PyErr_Occurred()) {
                return -1;
            }
            if (!equal) {
                return 0;
            }
            Py_INCREF(key);
            Py_XSETREF(self->seen[i], key);
        }
        i++;
    }
    return 1;
}

static PyObject *
convert_row(RowConverter *self, PyObject *row)
{
    if (!PyDict_CheckExact(row)) {
        return PyObject_CallOneArg(self->fallback, row);
    }
    int same = same_fields(self, row);
    if (same < 0) {
        return NULL;
    }
    if (!same) {
        return copy_row(self, row);
    }
    /* The row holds the plan's fields in the plan's order: it is typed in place, which
     * gives the record copy_row would build, without building it. */
    const char *kinds = PyBytes_AS_STRING(self->kinds);
    Py_ssize_t position = 0, i = 0;
    PyObject *key, *value;
    while (PyDict_Next(row, &position, &key, &value)) {
        int kind = kinds[i];
        PyObject *typed;
        if (PyUnicode_GET_LENGTH(value) == 0) {
            typed = Py_NewRef(Py_None);
        }
        else if (kind == K_STRING) {
            i++;
            continue;
        }
        else {
            typed = typed_value(self, i, kind, value);
            if (typed == NULL) {
                return NULL;
            }
        }
        /* replacing a value keeps the dict's keys, which PyDict_Next allows */
        int failed = PyDict_SetItem(row, key, typed);
        Py_DECREF(typed);
        if (failed) {
            return NULL;
        }
        i++;
    }
    return Py_NewRef(row);
}

static PyObject *
RowConverter_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                        PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "a row converter takes one row");
        return NULL;
    }
    return convert_row((RowConverter *)callable, args[0]);
}

static int
RowConverter_init(RowConverter *self, PyObject *args, PyObject *kwds)
{
    PyObject *names, *kinds, *convs, *heads, *nulls, *fallback;
    static char *keywords[] = {"names", "kinds", "convs", "heads", "nulls", "fallback", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!O!O:RowConverter", keywords,
                                     &PyTuple_Type, &names, &PyBytes_Type, &kinds,
                                     &PyTuple_Type, &convs, &PyTuple_Type, &heads,
                                     &PyDict_Type, &nulls, &fallback)) {
        return -1;
    }
    Py_ssize_t size = PyTuple_GET_SIZE(names);
    if (PyBytes_GET_SIZE(kinds) != size || PyTuple_GET_SIZE(convs) != size
        || PyTuple_GET_SIZE(heads) != size) {
        PyErr_SetString(PyExc_ValueError, "names, kinds, convs and heads differ in length");
        return -1;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        char kind = PyBytes_AS_STRING(kinds)[i];
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(names, i)) || kind < K_STRING
            || kind > K_OTHER) {
            PyErr_SetString(PyExc_ValueError, "a name is not a str or a kind is unknown");
            return -1;
        }
    }
    Py_XSETREF(self->names, Py_NewRef(names));
    Py_XSETREF(self->kinds, Py_NewRef(kinds));
    Py_XSETREF(self->convs, Py_NewRef(convs));
    Py_XSETREF(self->heads, Py_NewRef(heads));
    Py_XSETREF(self->nulls, Py_NewRef(nulls));
    Py_XSETREF(self->fallback, Py_NewRef(fallback));
    if (self->seen != NULL) {
        for (Py_ssize_t i = 0; i < self->size; i++) {
            Py_CLEAR(self->seen[i]);
        }
        PyMem_Free(self->seen);
    }
    self->seen = PyMem_Calloc((size_t)(size ? size : 1), sizeof(PyObject *));
    if (self->seen == NULL) {
        self->size = 0;
        PyErr_NoMemory();
        return -1;
    }
    self->size = size;
    self->vectorcall = RowConverter_vectorcall;
    return 0;
}

static PyObject *
RowConverter_call(PyObject *callable, PyObject *args, PyObject *kwds)
{
    if (PyTuple_GET_SIZE(args) != 1 || (kwds != NULL && PyDict_GET_SIZE(kwds))) {
        PyErr_SetString(PyExc_TypeError, "a row converter takes one row");
        return NULL;
    }
    return convert_row((RowConverter *)callable, PyTuple_GET_ITEM(args, 0));
}

static int
RowConverter_traverse(RowConverter *self, visitproc visit, void *arg)
{
    Py_VISIT(self->convs);
    Py_VISIT(self->heads);
    Py_VISIT(self->nulls);
    Py_VISIT(self->fallback);
    return 0;
}

static int
RowConverter_clear(RowConverter *self)
{
    Py_CLEAR(self->names);
    Py_CLEAR(self->kinds);
    Py_CLEAR(self->convs);
    Py_CLEAR(self->heads);
    Py_CLEAR(self->nulls);
    Py_CLEAR(self->fallback);
    if (self->seen != NULL) {
        for (Py_ssize_t i = 0; i < self->size; i++) {
            Py_CLEAR(self->seen[i]);
        }
        PyMem_Free(self->seen);
        self->seen = NULL;
    }
    self->size = 0;
    return 0;
}

static void
RowConverter_dealloc(RowConverter *self)
{
    PyObject_GC_UnTrack(self);
    RowConverter_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject RowConverterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tap_eloqua._rows.RowConverter",
    .tp_doc = PyDoc_STR("RowConverter(names, kinds, convs, heads, nulls, fallback)(row) -> "
                        "record: Eloqua's strings typed as tap_eloqua.values does."),
    .tp_basicsize = sizeof(RowConverter),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(RowConverter, vectorcall),
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)RowConverter_init,
    .tp_call = RowConverter_call,
    .tp_traverse = (traverseproc)RowConverter_traverse,
    .tp_clear = (inquiry)RowConverter_clear,
    .tp_dealloc = (destructor)RowConverter_dealloc,
};

static struct PyModuleDef rows_module = {
    PyModuleDef_HEAD_INIT, "_rows",
    "The row typing of tap_eloqua.values, compiled (optional: values.py falls back to Python).",
    -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__rows(void)
{
    if (PyType_Ready(&RowConverterType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&rows_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "RowConverter", (PyObject *)&RowConverterType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}

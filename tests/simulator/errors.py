"""ECS error bodies (ServiceErrorRestRep: code, description, details, retryable) and the codes used here."""

# Descriptions as python-ecsclient's error table (ecsclient/common/error_codes.py) words them.
DESCRIPTIONS = {
    1003: 'Unsupported or missing media type',
    1004: 'Request parameter cannot be found',
    1005: 'Required parameter is missing or empty',
    1007: 'Method not supported',
    1008: 'Parameter was provided but invalid',
    1011: 'Unable to use provided VPool',
    1013: 'Bad request body',
    1014: 'Parameter value not within range',
    1015: 'Resource already exists',
    1020: 'Resource is being referenced',
    1025: 'Unable to delete resource',
    1031: 'Exceeding limit',
    2000: 'Unable to find entity in request URL',
    3000: 'This operation is forbidden for this resource using the specified credentials',
    4000: 'Invalid credentials or authentication token provided to access to this resource',
    6000: 'Unable to connect to the service. The service is unavailable, try again later',
    7000: 'An error occurred in the API Service',
    40008: 'Bucket already exists',
    40009: 'Invalid bucket name',
}

# The code an HTTP status carries when a fault injects it without naming one.
CODE_FOR_STATUS = {400: 1008, 401: 4000, 403: 3000, 404: 2000, 405: 1007, 409: 1015, 415: 1003, 429: 1031,
                   500: 7000, 502: 6000, 503: 6000, 504: 6000}
RETRYABLE_STATUSES = (502, 503, 504)


class ApiError(Exception):
    """An ECS error response: HTTP status plus the ECS error body."""

    def __init__(self, status, code, details='', retryable=False, headers=()):
        super().__init__(details or DESCRIPTIONS.get(code, ''))
        self.status = status
        self.code = code
        self.details = details
        self.retryable = retryable
        self.headers = tuple(headers)

    def body(self):
        """The ServiceErrorRestRep body."""
        return {'code': self.code, 'description': DESCRIPTIONS.get(self.code, 'Error'),
                'details': self.details, 'retryable': self.retryable}


def for_status(status, code=None, details=None, retryable=None):
    """An error for an arbitrary HTTP status (fault injection): sensible code and retryable defaults."""
    code = code if code is not None else CODE_FOR_STATUS.get(status, 7000 if status >= 500 else 1008)
    if retryable is None:
        retryable = status in RETRYABLE_STATUSES
    if details is None:
        details = 'Injected fault: HTTP %d' % status
    return ApiError(status, code, details, retryable)


def not_found(entity_id):
    """400/1004: what ECS answers for a missing namespace, bucket or other id."""
    return ApiError(400, 1004, 'Unable to find entity with the given id %s' % entity_id)


def missing(name):
    """400/1005: a required parameter or field is absent or empty."""
    return ApiError(400, 1005, 'Required parameter %s is missing or empty' % name)


def invalid(details):
    """400/1008: a parameter was provided but is invalid."""
    return ApiError(400, 1008, details)


def out_of_range(details):
    """400/1014: a numeric parameter is outside its allowed range."""
    return ApiError(400, 1014, details)


def bad_body(details):
    """400/1013: the request body cannot be read as the expected object."""
    return ApiError(400, 1013, details)


def forbidden(details='The user has no role that allows this operation'):
    """403/3000: insufficient permissions."""
    return ApiError(403, 3000, details)


def unauthenticated(details='Invalid or expired authentication token', headers=()):
    """401/4000: missing, bad or expired credentials."""
    return ApiError(401, 4000, details, headers=headers)

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.subscription_list import SubscriptionList
from ...types import Response


def _get_kwargs(
    owner_no: str,
    invoice_no: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/billing/invoice/v1/{owner_no}/invoices/{invoice_no}/subscriptions".format(
            owner_no=quote(str(owner_no), safe=""),
            invoice_no=quote(str(invoice_no), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SubscriptionList | None:
    if response.status_code == 200:
        response_200 = SubscriptionList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | SubscriptionList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    owner_no: str,
    invoice_no: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Problem | SubscriptionList]:
    """Get list of invoiced subscriptions

    Args:
        owner_no (str):
        invoice_no (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SubscriptionList]
    """

    kwargs = _get_kwargs(
        owner_no=owner_no,
        invoice_no=invoice_no,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    owner_no: str,
    invoice_no: str,
    *,
    client: AuthenticatedClient | Client,
) -> Problem | SubscriptionList | None:
    """Get list of invoiced subscriptions

    Args:
        owner_no (str):
        invoice_no (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SubscriptionList
    """

    return sync_detailed(
        owner_no=owner_no,
        invoice_no=invoice_no,
        client=client,
    ).parsed


async def asyncio_detailed(
    owner_no: str,
    invoice_no: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Problem | SubscriptionList]:
    """Get list of invoiced subscriptions

    Args:
        owner_no (str):
        invoice_no (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SubscriptionList]
    """

    kwargs = _get_kwargs(
        owner_no=owner_no,
        invoice_no=invoice_no,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    owner_no: str,
    invoice_no: str,
    *,
    client: AuthenticatedClient | Client,
) -> Problem | SubscriptionList | None:
    """Get list of invoiced subscriptions

    Args:
        owner_no (str):
        invoice_no (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SubscriptionList
    """

    return (
        await asyncio_detailed(
            owner_no=owner_no,
            invoice_no=invoice_no,
            client=client,
        )
    ).parsed
